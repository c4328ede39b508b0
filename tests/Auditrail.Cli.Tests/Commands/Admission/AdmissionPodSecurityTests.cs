using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Admission;

/// <summary><c>--pss</c> on the admission verbs: Pod Security Standards beside (or instead of) the guardrails.</summary>
public sealed class AdmissionPodSecurityTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("auditrail-pss-");

    private string Dir => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    // A pod that is fine at baseline but not at restricted, and a Deployment whose template uses the host network.
    private const string Manifests = """
        apiVersion: v1
        kind: Pod
        metadata: {name: plain, namespace: apps}
        spec:
          containers:
            - name: app
              image: app:1.0
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: hostnet, namespace: apps}
        spec:
          template:
            spec:
              hostNetwork: true
              containers:
                - name: app
                  image: app:1.0
        """;

    private string Write(string name, string text) => _scratch.Write(name, text);

    private static Dictionary<string, (bool Allowed, string[] Checks)> Verdicts(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToDictionary(
            line => line.GetProperty("name").GetString()!,
            line => (line.GetProperty("allowed").GetBoolean(),
                line.GetProperty("violations").EnumerateArray().Select(v => $"{v.GetProperty("guardrail").GetString()}/{v.GetProperty("check").GetString()}").ToArray()));

    [Fact]
    public void Pss_alone_applies_the_level_to_pods_and_to_pod_templates()
    {
        var path = Write("m.yaml", Manifests);

        var baseline = CliRunner.Run("admission", "check", "-g", "none", "--pss", "baseline", path, "-o", "json");
        var restricted = CliRunner.Run("admission", "check", "-g", "none", "--pss", "restricted:v1.30", path, "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, baseline.ExitCode);
        var atBaseline = Verdicts(baseline.Out);
        Assert.True(atBaseline["plain"].Allowed);
        Assert.False(atBaseline["hostnet"].Allowed);
        Assert.Equal(["pod-security/hostNamespaces"], atBaseline["hostnet"].Checks);

        var atRestricted = Verdicts(restricted.Out);
        Assert.False(atRestricted["plain"].Allowed);
        Assert.Contains("pod-security/runAsNonRoot", atRestricted["plain"].Checks);
        Assert.Contains("pod-security/seccompProfile_restricted", atRestricted["plain"].Checks);
        Assert.All(atRestricted["plain"].Checks, check => Assert.StartsWith("pod-security/", check, StringComparison.Ordinal));
        // Quotes in messages read as \" in the JSON, not \u0022.
        Assert.Contains("violates PodSecurity \\\"restricted:v1.30\\\"", restricted.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Namespace_labels_override_the_pss_default_as_in_a_cluster()
    {
        var path = Write("m.yaml", Manifests);
        var namespaces = Write("ns.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: apps
              labels: {pod-security.kubernetes.io/enforce: privileged}
            """);

        var result = CliRunner.Run("admission", "check", "-g", "none", "--pss", "restricted", "--namespaces", namespaces, path, "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.All(Verdicts(result.Out).Values, verdict => Assert.True(verdict.Allowed));
    }

    [Fact]
    public void Pss_joins_the_bundled_guardrails_and_a_bad_level_is_a_usage_error()
    {
        var path = Write("m.yaml", Manifests);

        var both = Verdicts(CliRunner.Run("admission", "check", "--pss", "baseline", path, "-o", "json").Out);
        var bad = CliRunner.Run("admission", "check", "--pss", "strict", path);

        Assert.Contains("pod-security/hostNamespaces", both["hostnet"].Checks);
        Assert.Contains(both["hostnet"].Checks, check => check.StartsWith("no-root/", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.UsageOrUnusableInput, bad.ExitCode);
        Assert.Contains("--pss: invalid level \"strict\"", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_reports_failed_pod_security_checks_as_policy_report_results()
    {
        var result = CliRunner.Run("admission", "scan", "-g", "none", "--pss", "baseline", Write("m.yaml", Manifests), "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains("\"policy\": \"pod-security\"", result.Out, StringComparison.Ordinal);
        Assert.Contains("\"rule\": \"hostNamespaces\"", result.Out, StringComparison.Ordinal);
    }
}
