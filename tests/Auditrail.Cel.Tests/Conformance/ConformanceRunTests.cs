using Auditrail.Cel.Conformance;
using Xunit.Abstractions;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>
/// Runs the cel-spec conformance suite and holds every file to the pass rate the project promises:
/// the files in <c>data/cel-spec</c> and the further upstream files in <c>data/cel-spec-more</c>.
/// </summary>
public class ConformanceRunTests(ITestOutputHelper output)
{
    /// <summary>At least this share of the tests that are not skipped must pass in every file.</summary>
    private const double RequiredPassRate = 0.97;

    private static readonly string[] Folders = ["cel-spec", "cel-spec-more"];

    /// <summary>
    /// Files below the bar, held instead to exactly their known failures. block_ext's two failures are
    /// in the upstream data as we read it: multiple_macros_1 expects the int 4 from an expression that
    /// ends in <c>== 4</c> (a bool), and multiple_macros_3 expects true from a conjunction whose third
    /// term is <c>[1].exists(x, x > 1)</c>.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownFailures = new(StringComparer.Ordinal)
    {
        ["cel-spec-more/block_ext.textproto"] = ["block_ext/basic/multiple_macros_1", "block_ext/basic/multiple_macros_3"],
    };

    /// <summary>Folder and file name, so a failure says which copy of the suite it came from.</summary>
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "data", folder), "*.textproto").Order())
            {
                var name = $"{folder}/{Path.GetFileName(file)}";
                if (!KnownFailures.ContainsKey(name))
                {
                    data.Add(name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void File_passes_at_least_97_percent_of_the_tests_it_runs(string name)
    {
        var file = ConformanceFile.Load(Path.Combine(AppContext.BaseDirectory, "data", name));

        var result = ConformanceRunner.Run(file);

        output.WriteLine($"{name}: {result.Passed} passed, {result.Failed} failed, {result.Skipped} skipped");
        foreach (var test in result.Tests.Where(t => t.Outcome != ConformanceOutcome.Passed))
        {
            output.WriteLine($"  {test.Outcome} {test.Test.Id}: {test.Test.Expr} — {test.Detail}");
        }

        Assert.True(result.PassRate >= RequiredPassRate, $"{name}: {result.PassRate:P1} of run tests passed");
    }

    [Fact]
    public void Files_below_the_bar_fail_only_their_known_tests()
    {
        foreach (var (name, known) in KnownFailures)
        {
            var result = ConformanceRunner.Run(ConformanceFile.Load(Path.Combine(AppContext.BaseDirectory, "data", name)));

            var failed = result.Tests.Where(t => t.Outcome == ConformanceOutcome.Failed).Select(t => t.Test.Id).Order(StringComparer.Ordinal);
            Assert.Equal(known.Order(StringComparer.Ordinal), failed);
        }
    }
}
