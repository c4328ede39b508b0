using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>Namespace objects: their Pod Security labels must be valid.</summary>
public sealed partial class PodSecurityAdmissionCheckTests
{
    private static readonly GroupVersionResource NamespacesResource = new("", "v1", "namespaces");

    private static AdmissionRequest NamespaceRequest(string labels, AdmissionOperation operation = AdmissionOperation.Create, string? oldLabels = null, string name = "team-b") =>
        Requests.For(
            NamespacesResource,
            "Namespace",
            Json.Parse($"{{\"metadata\":{{\"name\":\"{name}\",\"labels\":{{{labels}}}}}}}"),
            ns: "",
            operation: operation,
            oldObject: oldLabels is null ? null : Json.Parse($"{{\"metadata\":{{\"name\":\"{name}\",\"labels\":{{{oldLabels}}}}}}}")) with { Name = name };

    [Fact]
    public void Creating_a_namespace_with_an_invalid_label_is_denied()
    {
        var result = Run(NamespaceRequest("\"pod-security.kubernetes.io/enforce\":\"strict\",\"pod-security.kubernetes.io/warn-version\":\"v1.x\""), new InMemoryNamespaces());

        Assert.True(result.Denied);
        Assert.Equal(
            [
                "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"v1.x\": must be \"latest\" or \"v1.x\"",
            ],
            result.Findings.Select(f => f.Message));
        Assert.All(result.Findings, f => Assert.Equal(PodSecurityAdmissionCheck.NamespaceLabelsCheckId, f.CheckId));
    }

    [Fact]
    public void Valid_labels_pass()
    {
        Assert.Empty(Run(NamespaceRequest("\"pod-security.kubernetes.io/enforce\":\"restricted\",\"pod-security.kubernetes.io/enforce-version\":\"v1.30\""), new InMemoryNamespaces()).Findings);
    }

    [Fact]
    public void An_update_that_keeps_an_existing_bad_label_is_allowed_but_one_that_changes_it_is_not()
    {
        const string bad = "\"pod-security.kubernetes.io/enforce\":\"strict\"";
        Assert.Empty(Run(NamespaceRequest(bad + ",\"team\":\"x\"", AdmissionOperation.Update, bad), new InMemoryNamespaces()).Findings);
        Assert.True(Run(NamespaceRequest(bad, AdmissionOperation.Update, "\"pod-security.kubernetes.io/enforce\":\"baseline\""), new InMemoryNamespaces()).Denied);
    }

    [Fact]
    public void An_exempt_namespace_asking_for_a_policy_is_warned_that_it_is_ignored()
    {
        var result = Run(NamespaceRequest("\"pod-security.kubernetes.io/enforce\":\"baseline\"", name: "kube-system"), new InMemoryNamespaces(), Exempting);

        var warning = Assert.Single(result.Findings);
        Assert.Equal(FindingAction.Warn, warning.Action);
        Assert.Equal("namespace \"kube-system\" is exempt from Pod Security, and the policy (enforce=baseline:latest) will be ignored", warning.Message);
    }

    [Fact]
    public void An_exempt_namespace_is_warned_on_update_only_when_its_enforce_level_gets_stricter()
    {
        const string baseline = "\"pod-security.kubernetes.io/enforce\":\"baseline\"";
        const string restricted = "\"pod-security.kubernetes.io/enforce\":\"restricted\"";

        Assert.Single(Run(NamespaceRequest(restricted, AdmissionOperation.Update, baseline, name: "kube-system"), new InMemoryNamespaces(), Exempting).Findings);
        Assert.Empty(Run(NamespaceRequest(baseline, AdmissionOperation.Update, restricted, name: "kube-system"), new InMemoryNamespaces(), Exempting).Findings);
        Assert.Empty(Run(NamespaceRequest(baseline + ",\"team\":\"x\"", AdmissionOperation.Update, baseline, name: "kube-system"), new InMemoryNamespaces(), Exempting).Findings);
    }
}
