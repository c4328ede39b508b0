namespace Auditrail.Cel.Conformance;

/// <summary>
/// One test (<c>SimpleTest</c>): parse <see cref="Expr"/>, check it unless
/// <see cref="DisableCheck"/>, evaluate it unless <see cref="CheckOnly"/>, and match the outcome
/// against <see cref="Result"/>.
/// </summary>
public sealed class ConformanceTest
{
    /// <summary><c>file/section/test</c>, the name skip lists use (as cel-go's <c>--skip_test</c> does).</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public required string Expr { get; init; }

    public bool DisableMacros { get; init; }

    public bool DisableCheck { get; init; }

    public bool CheckOnly { get; init; }

    /// <summary>The container (namespace) for name resolution; empty for none.</summary>
    public string Container { get; init; } = "";

    /// <summary>The locale for evaluation; empty for none.</summary>
    public string Locale { get; init; } = "";

    /// <summary>Declarations for the checker, in order.</summary>
    public IReadOnlyList<ConformanceDecl> TypeEnv { get; init; } = [];

    /// <summary>Variable values for evaluation; a name bound twice keeps its last value, as for any proto map.</summary>
    public IReadOnlyDictionary<string, ExpectedValue> Bindings { get; init; } = new Dictionary<string, ExpectedValue>();

    /// <summary>The matcher. A test that states none expects <c>true</c>, and gets that here.</summary>
    public required ExpectedResult Result { get; init; }

    /// <summary>False when <see cref="Result"/> is the implicit <c>true</c>.</summary>
    public bool HasExplicitResult { get; init; }

    /// <summary>Where the test starts in its file.</summary>
    public TextPosition Position { get; init; }

    public override string ToString() => Id;
}
