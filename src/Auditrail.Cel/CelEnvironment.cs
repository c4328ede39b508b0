using Auditrail.Cel.Checking;
using Auditrail.Cel.Library;
using Auditrail.Cel.Library.Extensions;
using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;

namespace Auditrail.Cel;

/// <summary>A declared variable; its index is how activations supply its value.</summary>
public sealed record CelVariable(string Name, CelType Type, int Index);

/// <summary>Limits on one evaluation, like Kubernetes' CEL cost budget.</summary>
public sealed record EvaluationLimits
{
    public static readonly EvaluationLimits Default = new();

    /// <summary>Cost units per evaluation: one per function call, one per comprehension iteration, more for work proportional to size.</summary>
    public long CostBudget { get; init; } = 1_000_000;

    /// <summary>Largest list or string an evaluation may build.</summary>
    public int MaxCollectionSize { get; init; } = 100_000;
}

/// <summary>
/// Declarations (variables, functions, the container for name resolution) against which expressions
/// compile. Compile once, evaluate many times: the program is a tree of delegates.
/// </summary>
/// <example>
/// <code>
/// var env = new CelEnvironment();
/// env.Declare("verb", CelType.String);
/// var program = env.Compile("verb in ['create', 'update']").Program!;
/// </code>
/// </example>
public sealed class CelEnvironment
{
    private readonly List<CelVariable> _variables = [];
    private readonly Dictionary<string, CelVariable> _byName = new(StringComparer.Ordinal);

    public CelEnvironment()
    {
        StandardLibrary.Register(Functions);

        // The extension libraries Kubernetes enables for CEL in admission and authorization rules.
        StringsLibrary.Register(Functions);
        ListsLibrary.Register(Functions);
        SetsLibrary.Register(Functions);
        RegexLibrary.Register(Functions);
        UrlLibrary.Register(Functions);
        NetworkLibrary.Register(Functions);
        QuantityLibrary.Register(Functions);

        // Further cel-go extensions that cel-spec's conformance files cover.
        MathLibrary.Register(Functions);
        EncodersLibrary.Register(Functions);
        MacroSupport.Register(Functions);
    }

    public FunctionRegistry Functions { get; } = new();

    public IReadOnlyList<CelVariable> Variables => _variables;

    /// <summary>Namespace for resolving names, as in cel-spec's <c>container</c>: <c>a.b</c> lets <c>x</c> mean <c>a.b.x</c>, <c>a.x</c> or <c>x</c>.</summary>
    public string Container { get; set; } = string.Empty;

    public ParserOptions ParserOptions { get; set; } = ParserOptions.Default;

    /// <summary>
    /// Whether undeclared names and type mismatches are compile errors (the default). Off, they become
    /// runtime errors, as cel-spec's disable_check tests expect.
    /// </summary>
    public bool CheckTypes { get; set; } = true;

    /// <summary>
    /// Named sub-expressions an identifier expands to at compile time when no variable has its name:
    /// a rule pack's macros and lists. Expansion is recursive; a cycle is a compile error.
    /// </summary>
    public Func<string, Expr?>? NamedExpressions { get; set; }

    public EvaluationLimits Limits { get; set; } = EvaluationLimits.Default;

    /// <summary>Declares a variable; dotted names (<c>objectRef.resource</c>) make <c>objectRef.resource</c> read it directly.</summary>
    public CelVariable Declare(string name, CelType type)
    {
        if (_byName.TryGetValue(name, out var existing))
        {
            return existing;
        }

        var variable = new CelVariable(name, type, _variables.Count);
        _variables.Add(variable);
        _byName[name] = variable;
        return variable;
    }

    public CelVariable? FindVariable(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Candidate full names for a name written in an expression, most specific first (container rules).</summary>
    internal IEnumerable<string> Candidates(string name)
    {
        if (name.StartsWith('.'))
        {
            yield return name[1..];
            yield break;
        }

        var container = Container;
        while (container.Length > 0)
        {
            yield return $"{container}.{name}";
            var dot = container.LastIndexOf('.');
            container = dot < 0 ? string.Empty : container[..dot];
        }

        yield return name;
    }

    /// <summary>Parses, checks and compiles; on failure, every diagnostic with line:column.</summary>
    public CompileResult Compile(string expression)
    {
        var parsed = Parser.Parse(expression, ParserOptions);
        if (parsed.Expr is null)
        {
            return new CompileResult(null, parsed.Diagnostics);
        }

        var compiler = new Compiler(this, parsed.Source);
        var (node, type) = compiler.Compile(parsed.Expr);
        if (compiler.Diagnostics.Count > 0)
        {
            return new CompileResult(null, compiler.Diagnostics);
        }

        return new CompileResult(new CelProgram(node, type, Limits, expression), []);
    }
}

/// <summary>The compiled program, or why there is none.</summary>
public sealed record CompileResult(CelProgram? Program, IReadOnlyList<CelDiagnostic> Diagnostics)
{
    public bool Success => Program is not null;
}
