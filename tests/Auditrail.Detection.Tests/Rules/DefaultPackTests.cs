using Auditrail.Detection.Rules;
using Auditrail.Detection.Testing;

namespace Auditrail.Detection.Tests.Rules;

/// <summary>The bundled default pack compiles cleanly and every one of its suites passes (rules/tests).</summary>
public class DefaultPackTests
{
    private static readonly string Root = RepositoryRoot();

    public static TheoryData<string> Suites()
    {
        var data = new TheoryData<string>();
        foreach (var suite in RuleTestRunner.LoadSuites(Path.Combine(Root, "rules", "tests"), []))
        {
            data.Add(suite.Name);
        }

        return data;
    }

    [Fact]
    public void The_default_pack_has_no_problems()
    {
        var loader = new RulePackLoader();
        loader.LoadDirectory(Path.Combine(Root, "rules", "default"));
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);

        var set = RuleSet.Compile(loader.Build(), diagnostics);

        Assert.Empty(diagnostics);
        Assert.NotEmpty(set.Rules);
    }

    [Fact]
    public void Every_default_rule_is_documented_in_the_rule_reference()
    {
        var loader = new RulePackLoader();
        loader.LoadDirectory(Path.Combine(Root, "rules", "default"));
        var reference = File.ReadAllText(Path.Combine(Root, "docs", "rules.md"));

        var missing = loader.Build().Rules.Select(r => r.Name).Where(name => !reference.Contains($"| `{name}` |", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, $"docs/rules.md has no row for: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_default_rule_has_a_suite_that_fires_it_and_a_near_miss()
    {
        var loader = new RulePackLoader();
        loader.LoadDirectory(Path.Combine(Root, "rules", "default"));
        var suites = RuleTestRunner.LoadSuites(Path.Combine(Root, "rules", "tests"), []);
        var expectations = suites.SelectMany(s => s.Expectations).ToList();

        foreach (var rule in loader.Build().Rules)
        {
            Assert.Contains(expectations, e => e.Rule == rule.Name && e.Alerts > 0);
            Assert.Contains(expectations, e => e.Rule == rule.Name && e.Alerts == 0);
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Suite_passes(string name)
    {
        var diagnostics = new List<RuleDiagnostic>();
        var suite = RuleTestRunner.LoadSuites(Path.Combine(Root, "rules", "tests"), diagnostics).Single(s => s.Name == name);

        var results = RuleTestRunner.Run(suite, [Path.Combine(Root, "rules", "default")], diagnostics);

        Assert.Empty(diagnostics);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Expectation.Rule}: expected {r.Expectation.Alerts}, got {r.Actual}"));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Auditrail.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("run the tests from inside the repository");
    }
}
