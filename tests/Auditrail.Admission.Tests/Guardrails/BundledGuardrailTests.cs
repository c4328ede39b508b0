using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Admission.Testing;
using Auditrail.Admission.Tests.Support;

namespace Auditrail.Admission.Tests.Guardrails;

/// <summary>The guardrails shipped in guardrails/default, through their GuardrailTest suites in guardrails/tests.</summary>
public sealed class BundledGuardrailTests
{
    private static readonly string Default = Path.Combine(AppContext.BaseDirectory, "guardrails", "default");
    private static readonly string Suites = Path.Combine(AppContext.BaseDirectory, "guardrails", "tests");

    private static AdmissionPipeline Compose(GuardrailSet set, INamespaceSource namespaces) =>
        new(new AdmissionContext(namespaces), set.Guardrails.Where(g => g.HasValidations), set.Guardrails.Where(g => g.HasMutations));

    [Fact]
    public void The_bundled_set_loads_without_a_diagnostic()
    {
        var set = GuardrailSet.Load([Default]);

        Assert.Empty(set.Diagnostics);
        Assert.Equal(
            ["compliance-labels", "image-tags", "no-privileged", "no-root", "resources", "sensitive-ingress-tls", "sensitive-pvc-encryption"],
            set.Guardrails.Select(g => g.Name).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string> SuiteFiles() => [.. Directory.EnumerateFiles(Suites, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(SuiteFiles))]
    public void Every_expectation_of_the_suite_holds(string file)
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var suite = GuardrailTestSuite.Load(Path.Combine(Suites, file), diagnostics);
        Assert.Empty(diagnostics);

        var report = GuardrailTestRunner.Run(suite!, Compose);

        Assert.Empty(report.Diagnostics);
        Assert.NotEmpty(report.Outcomes);
        Assert.All(report.Outcomes, o => Assert.True(o.Passed, $"{o.Case.Guardrail}/{o.Case.Check} {o.Resource}: {o.Detail}"));

        // Each suite shows its guardrail firing and holding back.
        Assert.Contains(report.Outcomes, o => o.Actual == "fail" || o.Case.PatchedFields.Count > 0);
        Assert.Contains(report.Outcomes, o => o.Actual is "pass" or "skip");
    }

    [Fact]
    public void Every_bundled_guardrail_has_a_suite()
    {
        var tested = Directory.EnumerateFiles(Suites, "*.yaml")
            .Select(f => GuardrailTestSuite.Load(f, []))
            .SelectMany(s => s!.Cases.Select(c => c.Guardrail))
            .ToHashSet(StringComparer.Ordinal);

        Assert.All(GuardrailSet.Load([Default]).Guardrails, g => Assert.Contains(g.Name, tested));
    }

    [Fact]
    public void A_wrong_expectation_fails_with_what_happened()
    {
        var dir = Directory.CreateTempSubdirectory("suite-").FullName;
        try
        {
            File.Copy(Path.Combine(Suites, "resources", "pods.yaml"), Path.Combine(dir, "pods.yaml"));
            var path = Path.Combine(dir, "suite.yaml");
            File.WriteAllText(path, $"""
                apiVersion: auditrail.io/v1alpha1
                kind: GuardrailTest
                metadata: {"{"}name: wrong{"}"}
                guardrails: [{Path.Combine(Default, "no-root.yaml")}]
                resources: [pods.yaml]
                results:
                  - guardrail: no-root
                    resource: no-security-context
                    result: pass
                  - guardrail: no-root
                    resource: not-there
                    result: pass
                  - guardrail: missing-guardrail
                    resource: compliant
                    result: pass
                """);
            var suite = GuardrailTestSuite.Load(path, [])!;

            var report = GuardrailTestRunner.Run(suite, Compose);

            Assert.Equal(3, report.Failed);
            Assert.StartsWith("expected pass, got fail: [no-root/run-as-non-root]", report.Outcomes[0].Detail, StringComparison.Ordinal);
            Assert.Equal("no resource named 'not-there'", report.Outcomes[1].Detail);
            Assert.Equal("guardrail 'missing-guardrail' is not loaded", report.Outcomes[2].Detail);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_pod_spec_is_found_in_every_workload_kind()
    {
        var set = GuardrailSet.Load([Path.Combine(Default, "no-privileged.yaml")]);
        var pipeline = Compose(set, Requests.Namespaces().Namespaces);
        const string Spec = """{"containers":[{"name":"c","image":"x:1","securityContext":{"privileged":true}}]}""";
        var template = "{\"template\":{\"spec\":" + Spec + "}}";
        var cases = new (string Group, string Kind, string Body)[]
        {
            ("", "Pod", Spec),
            ("apps", "Deployment", template),
            ("apps", "StatefulSet", template),
            ("apps", "DaemonSet", template),
            ("apps", "ReplicaSet", template),
            ("batch", "Job", template),
            ("batch", "CronJob", "{\"jobTemplate\":{\"spec\":" + template + "}}"),
            ("", "ReplicationController", template),
            ("extensions", "Deployment", template),
        };

        foreach (var (group, kind, body) in cases)
        {
            var apiVersion = group.Length == 0 ? "v1" : $"{group}/v1";
            var request = Requests.Of(group, "v1", kind, kind.ToLowerInvariant() + "s", $$$"""{"apiVersion":"{{{apiVersion}}}","kind":"{{{kind}}}","metadata":{"name":"w"},"spec":{{{body}}}}""");

            var verdict = pipeline.Validate(request, CancellationToken.None);

            Assert.Equal(("no-privileged", "privileged", false), (verdict.Findings.Single().Source, verdict.Findings[0].CheckId, verdict.Allowed));
        }
    }

    [Fact]
    public void Resource_caps_are_params_a_user_can_change()
    {
        var text = File.ReadAllText(Path.Combine(Default, "resources.yaml")).Replace("maxCpuPerContainer: \"4\"", "maxCpuPerContainer: 500m", StringComparison.Ordinal);
        var set = GuardrailSet.FromText(text, "resources.yaml");
        Assert.Empty(set.Diagnostics);
        var pipeline = Compose(set, Requests.Namespaces().Namespaces);
        var pod = Requests.Pod("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x:1","resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}}]}}""");

        var verdict = pipeline.Validate(pod, CancellationToken.None);

        Assert.Equal("[resources/cpu-cap] cpu above the 500m per-container cap for: c", verdict.Message);
    }
}
