using System.Text;
using Auditrail.Cel;
using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;

namespace Auditrail.Detection.Rules;

/// <summary>
/// A rule ready to run: its compiled condition (exceptions folded in), its output template and, for a
/// sequence rule, the compiled condition of each step.
/// </summary>
public sealed record CompiledRule(RuleDefinition Definition, CelProgram Condition, OutputTemplate Output, RuleIndexKey IndexKey)
{
    /// <summary>Step conditions of a sequence rule, in order; empty for other rules.</summary>
    public IReadOnlyList<CelProgram> Steps { get; init; } = [];

    /// <summary>Position in <see cref="RuleSet.Rules"/>, so per-rule state can live in arrays.</summary>
    public int Ordinal { get; init; }

    /// <summary>The allow-list rows that exempt a matching event; null when the rule has none.</summary>
    public ExceptionFilter? Exceptions { get; init; }
}

/// <summary>
/// The enabled rules of a pack, compiled once against the audit event environment, and indexed so an
/// event meets only the rules that can match its stage, verb and resource.
/// </summary>
public sealed class RuleSet
{
    private readonly RuleIndex _index;

    private RuleSet(IReadOnlyList<CompiledRule> rules, CelEnvironment environment, IReadOnlyDictionary<string, Expr> named)
    {
        Rules = rules;
        Environment = environment;
        Named = named;
        _index = new RuleIndex(rules);
    }

    public IReadOnlyList<CompiledRule> Rules { get; }

    public CelEnvironment Environment { get; }

    /// <summary>The pack's macros and lists by name, parsed: what the rules' conditions expand to (audit policy needs analysis reads them).</summary>
    public IReadOnlyDictionary<string, Expr> Named { get; }

    /// <summary>Rules that can match an event with this stage, verb and resource.</summary>
    public IReadOnlyList<CompiledRule> Candidates(AuditEvent auditEvent) => _index.Candidates(auditEvent);

    /// <summary>Compiles every enabled rule; problems are added to <paramref name="diagnostics"/> and the rule is left out.</summary>
    public static RuleSet Compile(RulePack pack, List<RuleDiagnostic> diagnostics)
    {
        var environment = AuditCelEnvironment.Create();
        var named = NamedExpressions(pack, environment, diagnostics);
        environment.NamedExpressions = name => named.GetValueOrDefault(name);

        var compiled = new List<CompiledRule>();
        foreach (var rule in pack.Rules.Where(r => r.Enabled))
        {
            // Steps first: a sequence without its own condition is the disjunction of its steps, whose errors belong to the steps.
            if (CompileSteps(rule, environment, diagnostics) is not { } steps)
            {
                continue;
            }

            var exceptions = CompileExceptions(rule, diagnostics, out var exceptionsFailed);
            if (exceptionsFailed)
            {
                continue;
            }

            var condition = rule.Condition;
            var result = environment.Compile(condition);
            if (!result.Success)
            {
                foreach (var d in result.Diagnostics)
                {
                    diagnostics.Add(Place(rule.ConditionLocation, d, $"rule '{rule.Name}': condition does not compile: {d.Message}"));
                }

                continue;
            }

            if (result.Program!.ResultType.Kind is not (CelTypeKind.Bool or CelTypeKind.Dyn))
            {
                diagnostics.Add(new RuleDiagnostic(rule.ConditionLocation.File, rule.ConditionLocation.Line, rule.ConditionLocation.Column,
                    RuleCodes.ConditionError, $"rule '{rule.Name}': condition is of type {result.Program.ResultType.Display}, not bool"));
                continue;
            }

            var output = OutputTemplate.Parse(rule.Output.Length > 0 ? rule.Output : $"{rule.Name}: %{{verb}} %{{objectRef.resource}} by %{{identity.name}}", environment, out var problems);
            foreach (var problem in problems)
            {
                diagnostics.Add(new RuleDiagnostic(rule.Location.File, rule.Location.Line, rule.Location.Column, RuleCodes.OutputError, $"rule '{rule.Name}': {problem}"));
            }

            var parsed = Parser.Parse(condition).Expr!;
            compiled.Add(new CompiledRule(rule, result.Program, output, RuleIndexKey.From(rule, parsed, named)) { Steps = steps, Ordinal = compiled.Count, Exceptions = exceptions });
        }

        return new RuleSet(compiled, environment, named);
    }

    /// <summary>The step conditions of a sequence rule (empty for others), or null when one does not compile to a bool.</summary>
    private static List<CelProgram>? CompileSteps(RuleDefinition rule, CelEnvironment environment, List<RuleDiagnostic> diagnostics)
    {
        var steps = new List<CelProgram>();
        foreach (var step in rule.Sequence?.Steps ?? [])
        {
            var result = environment.Compile(step.Condition);
            if (!result.Success)
            {
                diagnostics.AddRange(result.Diagnostics.Select(d => Place(step.ConditionLocation, d, $"rule '{rule.Name}': step '{step.Name}': {d.Message}")));
                return null;
            }

            if (result.Program!.ResultType.Kind is not (CelTypeKind.Bool or CelTypeKind.Dyn))
            {
                diagnostics.Add(new RuleDiagnostic(step.ConditionLocation.File, step.ConditionLocation.Line, step.ConditionLocation.Column,
                    RuleCodes.ConditionError, $"rule '{rule.Name}': step '{step.Name}' is of type {result.Program.ResultType.Display}, not bool"));
                return null;
            }

            steps.Add(result.Program);
        }

        return steps;
    }

    /// <summary>Macros (validated one by one, at their own place) and lists (as list literals) by name.</summary>
    private static Dictionary<string, Expr> NamedExpressions(RulePack pack, CelEnvironment environment, List<RuleDiagnostic> diagnostics)
    {
        var named = new Dictionary<string, Expr>(StringComparer.Ordinal);
        foreach (var list in pack.Lists)
        {
            named[list.Name] = new ListExpr(0, 0, list.Items.Select(i => (Expr)new ConstExpr(0, 0, CelValue.String(i))).ToList(), []);
        }

        foreach (var macro in pack.Macros)
        {
            var parsed = Parser.Parse(macro.Condition);
            if (parsed.Expr is null)
            {
                diagnostics.AddRange(parsed.Diagnostics.Select(d => Place(macro.ConditionLocation, d, $"macro '{macro.Name}': {d.Message}")));
                continue;
            }

            named[macro.Name] = parsed.Expr;
        }

        // Now that every name is known, compile each macro alone so its errors point into it.
        environment.NamedExpressions = name => named.GetValueOrDefault(name);
        foreach (var macro in pack.Macros.Where(m => named.ContainsKey(m.Name)))
        {
            var result = environment.Compile(macro.Condition);
            if (!result.Success)
            {
                diagnostics.AddRange(result.Diagnostics.Select(d => Place(macro.ConditionLocation, d, $"macro '{macro.Name}': {d.Message}")));
                named.Remove(macro.Name);
            }
        }

        return named;
    }

    /// <summary>The rule's exceptions as a filter, or null when it has none; an unknown field is an error and leaves the rule out.</summary>
    private static ExceptionFilter? CompileExceptions(RuleDefinition rule, List<RuleDiagnostic> diagnostics, out bool failed)
    {
        failed = false;
        foreach (var exception in rule.Exceptions)
        {
            foreach (var field in exception.Fields.Where(f => Core.Fields.FieldCatalog.Find(f) is null))
            {
                diagnostics.Add(new RuleDiagnostic(exception.Location.File, exception.Location.Line, exception.Location.Column, RuleCodes.ExceptionError,
                    $"rule '{rule.Name}': exception '{exception.Name}' names unknown field '{field}'"));
                failed = true;
            }
        }

        return failed || rule.Exceptions.All(e => e.Values.Count == 0) ? null : new ExceptionFilter(rule.Exceptions);
    }

    /// <summary>A CEL string literal for any text.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    /// <summary>Maps an expression's line:column onto the rule file.</summary>
    private static RuleDiagnostic Place(SourceLocation start, CelDiagnostic d, string message)
    {
        var line = start.Line + d.Line - 1;
        var column = d.Line == 1 && start.Column > 0 ? start.Column + d.Column - 1 : d.Column;
        return new RuleDiagnostic(start.File, line, column, RuleCodes.ConditionError, message);
    }
}
