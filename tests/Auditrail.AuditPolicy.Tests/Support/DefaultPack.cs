using Auditrail.AuditPolicy.Needs;
using Auditrail.Detection.Rules;

namespace Auditrail.AuditPolicy.Tests.Support;

/// <summary>The bundled default rule pack (copied beside the tests) and what it needs of the log.</summary>
public static class DefaultPack
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "rules", "default");

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    public static RuleSet Rules { get; } = Load();

    public static DetectionNeeds Needs { get; } = DetectionNeeds.Analyze(Rules);

    private static RuleSet Load()
    {
        var loader = new RulePackLoader();
        loader.LoadDirectory(Directory);
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var set = RuleSet.Compile(loader.Build(), diagnostics);
        Assert.DoesNotContain(diagnostics, d => !d.IsWarning);
        return set;
    }
}
