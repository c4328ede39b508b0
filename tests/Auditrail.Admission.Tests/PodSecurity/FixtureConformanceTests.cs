using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Tests.PodSecurity.Support;
using Xunit.Abstractions;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>
/// kubernetes/pod-security-admission's own fixtures (4,537 pods): each file under LEVEL/v1.N/pass must
/// be allowed and each under fail denied, at that level and version; a denied fixture must fail the
/// check its name is for (or the restricted check that replaces that one at that version), and no other.
/// </summary>
public sealed class FixtureConformanceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Upstream's fixtures are named after the check that generated them; at restricted, some baseline
    /// checks are replaced by a restricted one from a version on, and the fixture then fails that one.
    /// Restated here from upstream's OverrideCheckIDs, independently of the code under test.
    /// </summary>
    private static readonly (string Baseline, string Restricted, int FromMinor)[] RestrictedReplacements =
    [
        ("hostPathVolumes", "restrictedVolumes", 0),
        ("seccompProfile_baseline", "seccompProfile_restricted", 19),
        ("capabilities_baseline", "capabilities_restricted", 22),
        ("procMount", "procMount_restricted", 35),
    ];

    [Fact]
    public void Every_fixture_is_allowed_or_denied_as_its_folder_says_by_the_check_its_name_is_for()
    {
        var (fixtures, skipped) = PodSecurityFixtures.Load();
        foreach (var reason in skipped)
        {
            output.WriteLine($"skipped {reason}");
        }

        var wrongOutcome = new List<string>();
        var wrongCheck = new List<string>();
        var alsoFailing = new List<string>();
        foreach (var fixture in fixtures)
        {
            var result = PodSecurityEvaluator.EvaluatePod(fixture.Level, fixture.Version, fixture.Pod);
            Assert.Empty(result.InputErrors);
            if (result.Allowed != fixture.ShouldPass)
            {
                wrongOutcome.Add($"{fixture.Entry}: expected {(fixture.ShouldPass ? "allowed" : "denied")}, got {(result.Allowed ? "allowed" : result.ForbiddenDetail())}");
                continue;
            }

            if (!fixture.ShouldPass)
            {
                var expected = ExpectedCheck(fixture);
                var failed = result.Violations.Select(v => v.CheckId).ToList();
                if (!failed.Contains(expected, StringComparer.OrdinalIgnoreCase))
                {
                    wrongCheck.Add($"{fixture.Entry}: expected {expected} among the failed checks, got {string.Join(", ", failed)}");
                }
                else if (failed.Count > 1)
                {
                    // Legitimate: a privileged container also escalates privileges, a HostProcess pod must use the host network…
                    alsoFailing.Add($"{fixture.NamePrefix} → {string.Join(", ", failed)}");
                }
            }
        }

        foreach (var group in fixtures.GroupBy(f => (f.Level, f.ShouldPass)).OrderBy(g => g.Key))
        {
            output.WriteLine($"{group.Key.Level.ToLabelValue()} {(group.Key.ShouldPass ? "pass" : "fail")}: {group.Count()} fixtures");
        }

        foreach (var group in alsoFailing.GroupBy(line => line).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"also failing another check (the fixture's pod breaks two rules): {group.Key}: {group.Count()} fixtures");
        }

        var denied = fixtures.Count(f => !f.ShouldPass) - wrongOutcome.Count(w => w.Contains("expected denied", StringComparison.Ordinal));
        output.WriteLine($"{fixtures.Count} fixtures, {fixtures.Count - wrongOutcome.Count} with the expected outcome; "
            + $"{denied - wrongCheck.Count} of {denied} denials by the check the fixture is named for; {skipped.Count} zip entries skipped");
        Assert.Equal(4537, fixtures.Count);
        Assert.True(wrongOutcome.Count == 0, string.Join("\n", wrongOutcome.Take(40)));
        Assert.True(wrongCheck.Count == 0, string.Join("\n", wrongCheck.Take(40)));
    }

    [Fact]
    public void Fixtures_cover_every_version_from_1_0_to_the_newest_the_evaluator_knows()
    {
        var (fixtures, _) = PodSecurityFixtures.Load();
        var versions = fixtures.Select(f => f.Version.Minor).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, PodSecurityEvaluator.NewestVersion.Minor + 1), versions);
    }

    private static string ExpectedCheck(PodSecurityFixture fixture)
    {
        var named = fixture.NamePrefix;
        if (fixture.Level == PodSecurityLevel.Restricted)
        {
            foreach (var (baseline, restricted, fromMinor) in RestrictedReplacements)
            {
                if (string.Equals(named, baseline, StringComparison.OrdinalIgnoreCase) && fixture.Version.Minor >= fromMinor)
                {
                    return restricted;
                }
            }
        }

        return named;
    }
}
