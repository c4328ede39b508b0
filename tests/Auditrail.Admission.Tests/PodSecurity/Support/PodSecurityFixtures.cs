using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.PodSecurity;

namespace Auditrail.Admission.Tests.PodSecurity.Support;

/// <summary>One upstream fixture: a pod that must be allowed (pass) or denied (fail) at a level and version.</summary>
internal sealed record PodSecurityFixture(string Entry, PodSecurityLevel Level, PodSecurityVersion Version, bool ShouldPass, string Name, JsonElement Pod)
{
    /// <summary>The check the fixture exercises, from its file name: <c>seccompprofile_baseline2</c> → <c>seccompprofile_baseline</c>.</summary>
    public string NamePrefix => Regex.Replace(Name, "[0-9]+$", "");
}

/// <summary>
/// Reads kubernetes/pod-security-admission's <c>test/testdata</c> fixtures from the zip under
/// tests/data/pod-security-admission (see that folder's README line in tests/data/README.md).
/// </summary>
internal static partial class PodSecurityFixtures
{
    public static string ZipPath => Path.Combine(AppContext.BaseDirectory, "data", "pod-security-admission", "testdata.zip");

    /// <summary>Every fixture, and every zip entry that is not one (with the reason), so a test can say what it skipped.</summary>
    public static (List<PodSecurityFixture> Fixtures, List<string> Skipped) Load()
    {
        var fixtures = new List<PodSecurityFixture>();
        var skipped = new List<string>();
        using var zip = ZipFile.OpenRead(ZipPath);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/'))
            {
                continue;
            }

            var match = EntryPattern().Match(entry.FullName);
            if (!match.Success)
            {
                skipped.Add($"{entry.FullName}: not a fixture (expected LEVEL/v1.N/pass|fail/NAME.yaml)");
                continue;
            }

            using var reader = new StreamReader(entry.Open());
            var level = match.Groups["level"].Value == "baseline" ? PodSecurityLevel.Baseline : PodSecurityLevel.Restricted;
            fixtures.Add(new PodSecurityFixture(
                entry.FullName,
                level,
                PodSecurityVersion.Parse(match.Groups["version"].Value),
                match.Groups["outcome"].Value == "pass",
                match.Groups["name"].Value,
                ReadPod(reader.ReadToEnd(), entry.FullName)));
        }

        return (fixtures, skipped);
    }

    /// <summary>The fixture's one document, read as the product reads manifests (kubectl's scalar rules); a fixture that does not read is a broken test.</summary>
    private static JsonElement ReadPod(string yaml, string name)
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var manifests = ManifestReader.ReadText(yaml, name, diagnostics);
        return !diagnostics.Exists(d => !d.IsWarning) && manifests.Count == 1
            ? manifests[0].Object
            : throw new InvalidDataException($"{name}: {string.Join("; ", diagnostics)}");
    }

    [GeneratedRegex(@"^(?<level>baseline|restricted)/(?<version>v1\.[0-9]+)/(?<outcome>pass|fail)/(?<name>[^/]+)\.yaml$")]
    private static partial Regex EntryPattern();
}
