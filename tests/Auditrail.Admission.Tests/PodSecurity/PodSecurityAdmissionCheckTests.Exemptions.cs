using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>Exempt usernames, namespaces and runtime classes.</summary>
public sealed partial class PodSecurityAdmissionCheckTests
{
    private static readonly PodSecurityConfiguration Exempting = new()
    {
        ExemptUsernames = ["system:serviceaccount:kube-system:replicaset-controller-admin"],
        ExemptNamespaces = ["kube-system"],
        ExemptRuntimeClasses = ["kata"],
    };

    [Fact]
    public void An_exempt_namespace_is_not_checked_and_says_why_in_the_audit_annotation()
    {
        var namespaces = new InMemoryNamespaces().With("kube-system", (PodSecurityLabels.Enforce, "restricted"));
        var result = Run(Requests.Pod(Pods.Parse(Pods.Privileged), ns: "kube-system"), namespaces, Exempting);

        Assert.Empty(result.Findings);
        Assert.Equal("namespace", result.AuditAnnotations[PodSecurityLabels.ExemptAnnotation]);
    }

    [Fact]
    public void An_exempt_user_is_not_checked()
    {
        var result = Run(
            Requests.Pod(Pods.Parse(Pods.Privileged), user: "system:serviceaccount:kube-system:replicaset-controller-admin"),
            Namespace((PodSecurityLabels.Enforce, "restricted")),
            Exempting);

        Assert.Empty(result.Findings);
        Assert.Equal("user", result.AuditAnnotations[PodSecurityLabels.ExemptAnnotation]);
    }

    [Fact]
    public void An_exempt_runtime_class_is_not_checked_but_another_one_is()
    {
        var kata = Pods.Parse("""{"metadata":{"name":"vm"},"spec":{"runtimeClassName":"kata","hostPID":true,"containers":[{"name":"a"}]}}""");
        var gvisor = Pods.Parse("""{"metadata":{"name":"vm"},"spec":{"runtimeClassName":"gvisor","hostPID":true,"containers":[{"name":"a"}]}}""");
        var namespaces = Namespace((PodSecurityLabels.Enforce, "baseline"));

        var exempt = Run(Requests.Pod(kata), namespaces, Exempting);
        Assert.Empty(exempt.Findings);
        Assert.Equal("runtimeClass", exempt.AuditAnnotations[PodSecurityLabels.ExemptAnnotation]);
        Assert.True(Run(Requests.Pod(gvisor), namespaces, Exempting).Denied);
    }

    [Fact]
    public void Exemptions_match_exactly()
    {
        var result = Run(
            Requests.Pod(Pods.Parse(Pods.Privileged), ns: "kube-system-2", user: "system:serviceaccount:kube-system:other"),
            new InMemoryNamespaces().With("kube-system-2", (PodSecurityLabels.Enforce, "baseline")),
            Exempting);

        Assert.True(result.Denied);
        Assert.DoesNotContain(PodSecurityLabels.ExemptAnnotation, result.AuditAnnotations.Keys);
    }
}
