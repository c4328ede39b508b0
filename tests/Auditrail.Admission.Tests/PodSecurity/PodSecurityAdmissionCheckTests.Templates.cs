using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>Pod templates of workloads: warned and audited like upstream, enforced only when configured.</summary>
public sealed partial class PodSecurityAdmissionCheckTests
{
    private const string PrivilegedTemplate = """
        {"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"shell","image":"busybox","securityContext":{"privileged":true}}]}}
        """;

    public static TheoryData<string, string, string, string> Workloads => new()
    {
        { "apps", "deployments", "Deployment", """{"spec":{"replicas":2,"template":""" + PrivilegedTemplate + "}}" },
        { "apps", "statefulsets", "StatefulSet", """{"spec":{"template":""" + PrivilegedTemplate + "}}" },
        { "apps", "daemonsets", "DaemonSet", """{"spec":{"template":""" + PrivilegedTemplate + "}}" },
        { "apps", "replicasets", "ReplicaSet", """{"spec":{"template":""" + PrivilegedTemplate + "}}" },
        { "batch", "jobs", "Job", """{"spec":{"template":""" + PrivilegedTemplate + "}}" },
        { "batch", "cronjobs", "CronJob", """{"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":""" + PrivilegedTemplate + "}}}}" },
        { "", "replicationcontrollers", "ReplicationController", """{"spec":{"template":""" + PrivilegedTemplate + "}}" },
        { "", "podtemplates", "PodTemplate", """{"template":""" + PrivilegedTemplate + "}" },
    };

    private static AdmissionRequest Workload(string group, string resource, string kind, string json) =>
        Requests.For(new GroupVersionResource(group, "v1", resource), kind, Json.Parse(json));

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Templates_are_warned_and_audited_but_not_denied_by_default(string group, string resource, string kind, string json)
    {
        var namespaces = Namespace((PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.Warn, "baseline"), (PodSecurityLabels.Audit, "baseline"));
        var result = Run(Workload(group, resource, kind, json), namespaces);

        Assert.False(result.Denied);
        var warning = Assert.Single(result.Findings, f => f.Action == FindingAction.Warn);
        Assert.Equal("privileged", warning.CheckId);
        Assert.EndsWith("template.spec", warning.Path, StringComparison.Ordinal);
        Assert.Single(result.Findings, f => f.Action == FindingAction.Audit);
        Assert.DoesNotContain(PodSecurityLabels.EnforcePolicyAnnotation, result.AuditAnnotations.Keys);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Templates_are_denied_when_enforcing_on_templates_is_switched_on(string group, string resource, string kind, string json)
    {
        var result = Run(Workload(group, resource, kind, json), Namespace((PodSecurityLabels.Enforce, "baseline")), new PodSecurityConfiguration { EnforceOnTemplates = true });

        Assert.True(result.Denied);
        Assert.Equal("violates PodSecurity \"baseline:latest\": privileged (container \"shell\" must not set securityContext.privileged=true)",
            Assert.Single(result.Findings).Message);
    }

    [Fact]
    public void Templates_are_not_evaluated_when_only_enforce_is_set()
    {
        var result = Run(Workload("apps", "deployments", "Deployment", """{"spec":{"template":""" + PrivilegedTemplate + "}}"), Namespace((PodSecurityLabels.Enforce, "restricted")));

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Template_annotations_are_read_from_the_template_metadata()
    {
        var json = """
            {"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"unconfined"}},
             "spec":{"template":{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"runtime/default"}},"spec":{"containers":[{"name":"a"}]}}}}
            """;
        var result = Run(Workload("apps", "deployments", "Deployment", json), Namespace((PodSecurityLabels.Warn, "baseline")));

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_workload_without_a_template_has_nothing_to_check()
    {
        var result = Run(Workload("", "replicationcontrollers", "ReplicationController", """{"spec":{"replicas":0}}"""), Namespace((PodSecurityLabels.Warn, "restricted")));

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Workload_subresources_are_skipped()
    {
        var request = Workload("apps", "deployments", "Deployment", """{"spec":{"template":""" + PrivilegedTemplate + "}}") with { SubResource = "scale" };

        Assert.Empty(Run(request, Namespace((PodSecurityLabels.Warn, "baseline"))).Findings);
    }

    [Fact]
    public void A_template_of_the_wrong_type_is_reported_with_its_path()
    {
        var result = Run(Workload("batch", "cronjobs", "CronJob", """{"spec":{"jobTemplate":{"spec":{"template":"nginx"}}}}"""), Namespace((PodSecurityLabels.Warn, "baseline")));

        var finding = Assert.Single(result.Findings);
        Assert.Equal((FindingAction.Warn, PodSecurityAdmissionCheck.MalformedPodCheckId), (finding.Action, finding.CheckId));
        Assert.Equal("spec.jobTemplate.spec.template", finding.Path);
        Assert.Contains("expected a pod template object, found a string", finding.Message, StringComparison.Ordinal);
    }
}
