using System.Text.Json;
using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>Namespace labels and versions, defaults, and the enforce, audit and warn modes.</summary>
public sealed partial class PodSecurityAdmissionCheckTests
{
    private static AdmissionCheckResult Run(AdmissionRequest request, InMemoryNamespaces namespaces, PodSecurityConfiguration? configuration = null)
    {
        var result = new AdmissionCheckResult();
        new PodSecurityAdmissionCheck(configuration ?? new PodSecurityConfiguration()).Validate(request, new AdmissionContext(namespaces), result);
        return result;
    }

    private static InMemoryNamespaces Namespace(params (string Key, string Value)[] labels) => new InMemoryNamespaces().With("team-a", labels);

    private static List<(FindingAction Action, string CheckId)> Summary(AdmissionCheckResult result) =>
        [.. result.Findings.Select(f => (f.Action, f.CheckId))];

    [Fact]
    public void An_enforce_label_denies_a_violating_pod_with_upstream_wording()
    {
        var result = Run(Requests.Pod(Pods.Parse(Pods.Privileged)), Namespace((PodSecurityLabels.Enforce, "baseline")));

        Assert.True(result.Denied);
        Assert.Equal([(FindingAction.Deny, "hostNamespaces"), (FindingAction.Deny, "privileged")], Summary(result));
        Assert.Equal("violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)", result.Findings[0].Message);
        Assert.All(result.Findings, f => Assert.Equal(PodSecurityAdmissionCheck.SourceName, f.Source));
        Assert.Equal("baseline:latest", result.AuditAnnotations[PodSecurityLabels.EnforcePolicyAnnotation]);
    }

    [Fact]
    public void A_compliant_pod_passes_and_records_the_enforced_policy()
    {
        var result = Run(Requests.Pod(Pods.Parse(Pods.Restricted)), Namespace((PodSecurityLabels.Enforce, "restricted"), (PodSecurityLabels.EnforceVersion, "v1.30")));

        Assert.Empty(result.Findings);
        Assert.Equal("restricted:v1.30", result.AuditAnnotations[PodSecurityLabels.EnforcePolicyAnnotation]);
    }

    [Fact]
    public void The_version_label_pins_the_policy_version()
    {
        var pod = Pods.Parse("""
            {"metadata":{"name":"p"},"spec":{"securityContext":{"sysctls":[{"name":"net.ipv4.tcp_rmem","value":"4096 87380 16777216"}]},"containers":[{"name":"a"}]}}
            """);

        Assert.True(Run(Requests.Pod(pod), Namespace((PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.EnforceVersion, "v1.31"))).Denied);
        Assert.False(Run(Requests.Pod(pod), Namespace((PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.EnforceVersion, "v1.32"))).Denied);
    }

    [Fact]
    public void Warn_and_audit_labels_allow_the_pod_but_report_it()
    {
        var result = Run(
            Requests.Pod(Pods.Parse(Pods.Plain)),
            Namespace((PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.Warn, "restricted"), (PodSecurityLabels.Audit, "restricted"), (PodSecurityLabels.AuditVersion, "v1.22")));

        Assert.False(result.Denied);
        Assert.Contains((FindingAction.Warn, "runAsNonRoot"), Summary(result));
        Assert.Contains((FindingAction.Audit, "runAsNonRoot"), Summary(result));
        Assert.DoesNotContain(result.Findings, f => f.Action == FindingAction.Deny);
        Assert.StartsWith("would violate PodSecurity \"restricted:v1.22\": allowPrivilegeEscalation != false (container \"app\"",
            result.AuditAnnotations[PodSecurityLabels.AuditViolationsAnnotation], StringComparison.Ordinal);
        Assert.StartsWith("would violate PodSecurity \"restricted:latest\": ", result.Findings.First(f => f.Action == FindingAction.Warn).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_denied_pod_gets_no_warnings_but_still_its_audit_annotation()
    {
        var result = Run(
            Requests.Pod(Pods.Parse(Pods.Privileged)),
            Namespace((PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.Warn, "restricted"), (PodSecurityLabels.Audit, "restricted")));

        Assert.True(result.Denied);
        Assert.DoesNotContain(result.Findings, f => f.Action == FindingAction.Warn);
        Assert.Contains(PodSecurityLabels.AuditViolationsAnnotation, result.AuditAnnotations.Keys);
    }

    [Fact]
    public void Namespaces_without_labels_get_the_configured_defaults_and_unknown_namespaces_too()
    {
        var configuration = new PodSecurityConfiguration
        {
            Defaults = PodSecurityPolicy.AllPrivileged with { Enforce = new(PodSecurityLevel.Baseline, PodSecurityVersion.Latest) },
        };

        Assert.True(Run(Requests.Pod(Pods.Parse(Pods.Privileged)), Namespace(), configuration).Denied);
        Assert.True(Run(Requests.Pod(Pods.Parse(Pods.Privileged), ns: "unknown"), Namespace(), configuration).Denied);
        Assert.Empty(Run(Requests.Pod(Pods.Parse(Pods.Privileged)), Namespace()).Findings);
    }

    [Fact]
    public void A_label_overrides_only_its_own_mode_of_the_defaults()
    {
        var configuration = new PodSecurityConfiguration
        {
            Defaults = new PodSecurityPolicy(
                new(PodSecurityLevel.Baseline, PodSecurityVersion.Latest),
                new(PodSecurityLevel.Privileged, PodSecurityVersion.Latest),
                new(PodSecurityLevel.Restricted, PodSecurityVersion.Latest)),
        };

        var result = Run(Requests.Pod(Pods.Parse(Pods.Plain)), Namespace((PodSecurityLabels.Enforce, "privileged")), configuration);

        Assert.False(result.Denied);
        Assert.Contains(result.Findings, f => f.Action == FindingAction.Warn);
    }

    [Fact]
    public void An_invalid_enforce_level_fails_closed_to_restricted_and_is_reported()
    {
        var result = Run(Requests.Pod(Pods.Parse(Pods.Plain)), Namespace((PodSecurityLabels.Enforce, "strict")));

        Assert.True(result.Denied);
        Assert.Equal("restricted:latest", result.AuditAnnotations[PodSecurityLabels.EnforcePolicyAnnotation]);
        Assert.Equal(
            "Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
            result.AuditAnnotations[PodSecurityLabels.ErrorAnnotation]);
    }

    [Fact]
    public void Invalid_warn_and_audit_levels_fail_open_and_an_invalid_version_means_latest()
    {
        var result = Run(
            Requests.Pod(Pods.Parse(Pods.Plain)),
            Namespace((PodSecurityLabels.Warn, "loud"), (PodSecurityLabels.Audit, "RESTRICTED"), (PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.EnforceVersion, "1.30")));

        Assert.Empty(result.Findings);
        Assert.Equal("baseline:latest", result.AuditAnnotations[PodSecurityLabels.EnforcePolicyAnnotation]);
        Assert.StartsWith("Failed to parse policy: [metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\", ",
            result.AuditAnnotations[PodSecurityLabels.ErrorAnnotation], StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_value_of_the_wrong_type_is_an_invalid_label()
    {
        var namespaces = new InMemoryNamespacesFromJson("""{"metadata":{"name":"team-a","labels":{"pod-security.kubernetes.io/enforce":true}}}""");
        var result = new AdmissionCheckResult();
        new PodSecurityAdmissionCheck().Validate(Requests.Pod(Pods.Parse(Pods.Plain)), new AdmissionContext(namespaces), result);

        Assert.True(result.Denied);
        Assert.Contains("Invalid value: a non-string value", result.AuditAnnotations[PodSecurityLabels.ErrorAnnotation], StringComparison.Ordinal);
    }

    [Fact]
    public void A_fully_privileged_namespace_is_not_evaluated_at_all()
    {
        var result = Run(Requests.Pod(Pods.Parse("\"not a pod\"")), Namespace((PodSecurityLabels.Enforce, "privileged")));

        Assert.Empty(result.Findings);
        Assert.Empty(result.AuditAnnotations);
    }

    [Fact]
    public void Delete_and_connect_pass_whatever_the_object()
    {
        var namespaces = Namespace((PodSecurityLabels.Enforce, "restricted"));
        foreach (var operation in new[] { AdmissionOperation.Delete, AdmissionOperation.Connect })
        {
            var result = Run(Requests.Pod(Pods.Parse(Pods.Privileged), operation: operation), namespaces);
            Assert.Empty(result.Findings);
        }
    }

    [Fact]
    public void Other_resources_are_not_pod_security_business()
    {
        var service = Json.Parse("""{"kind":"Service","spec":{"ports":[{"port":80}]}}""");
        var result = Run(Requests.For(new GroupVersionResource("", "v1", "services"), "Service", service), Namespace((PodSecurityLabels.Enforce, "restricted")));

        Assert.Empty(result.Findings);
    }

    /// <summary>A namespace source answering with one Namespace written as JSON.</summary>
    private sealed class InMemoryNamespacesFromJson(string json) : INamespaceSource
    {
        private readonly JsonElement _namespace = Json.Parse(json);

        public JsonElement? FindNamespace(string name) => name == "team-a" ? _namespace : null;
    }
}
