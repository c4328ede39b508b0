using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>Updates, subresources and malformed requests.</summary>
public sealed partial class PodSecurityAdmissionCheckTests
{
    private static readonly InMemoryNamespaces Enforcing = Namespace((PodSecurityLabels.Enforce, "baseline"));

    [Fact]
    public void A_metadata_only_update_of_a_violating_pod_is_allowed_without_evaluation()
    {
        var old = Pods.Parse(Pods.Privileged);
        var relabelled = Pods.Parse(Pods.Privileged.Replace("\"name\":\"debug\"", "\"name\":\"debug\",\"labels\":{\"tier\":\"x\"},\"annotations\":{\"note\":\"y\"}", StringComparison.Ordinal));

        var result = Run(Requests.Pod(relabelled, operation: AdmissionOperation.Update, oldPod: old), Enforcing);

        Assert.Empty(result.Findings);
        Assert.Empty(result.AuditAnnotations);
    }

    [Fact]
    public void An_image_change_is_evaluated()
    {
        var old = Pods.Parse(Pods.Privileged);
        var updated = Pods.Parse(Pods.Privileged.Replace("busybox", "busybox:1.37", StringComparison.Ordinal));

        Assert.True(Run(Requests.Pod(updated, operation: AdmissionOperation.Update, oldPod: old), Enforcing).Denied);
    }

    [Fact]
    public void A_seccomp_container_annotation_change_is_evaluated()
    {
        const string pod = """
            {"metadata":{"name":"p","annotations":{"container.seccomp.security.alpha.kubernetes.io/a":"VALUE"}},"spec":{"containers":[{"name":"a","image":"x"}]}}
            """;
        var old = Pods.Parse(pod.Replace("VALUE", "runtime/default", StringComparison.Ordinal));
        var updated = Pods.Parse(pod.Replace("VALUE", "unconfined", StringComparison.Ordinal));

        var result = Run(Requests.Pod(updated, operation: AdmissionOperation.Update, oldPod: old), Namespace((PodSecurityLabels.Enforce, "baseline"), (PodSecurityLabels.EnforceVersion, "v1.18")));

        Assert.Equal("seccompProfile_baseline", Assert.Single(result.Findings).CheckId);
    }

    [Fact]
    public void Adding_an_ephemeral_container_through_its_subresource_is_evaluated()
    {
        var old = Pods.Parse(Pods.Restricted);
        var debugged = Pods.Parse(Pods.Restricted.Replace(
            "\"containers\":[",
            "\"ephemeralContainers\":[{\"name\":\"debugger\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}],\"containers\":[",
            StringComparison.Ordinal));

        var result = Run(Requests.Pod(debugged, operation: AdmissionOperation.Update, oldPod: old, subResource: "ephemeralcontainers"), Enforcing);

        Assert.True(result.Denied);
        Assert.Contains("container \"debugger\" must not set securityContext.privileged=true", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("exec")]
    [InlineData("binding")]
    [InlineData("eviction")]
    public void Pod_subresources_that_cannot_change_the_pod_are_skipped(string subResource)
    {
        var result = Run(Requests.Pod(Pods.Parse(Pods.Privileged), operation: AdmissionOperation.Update, oldPod: Pods.Parse(Pods.Plain), subResource: subResource), Enforcing);

        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData("\"a pod\"", "$: expected a Pod object, found a string")]
    [InlineData("""{"spec":[]}""", "spec: expected an object, found an array")]
    [InlineData("""{"spec":{"containers":[{"name":"a","securityContext":{"privileged":"true"}}]}}""", "spec.containers[0].securityContext.privileged: expected a boolean, found a string")]
    [InlineData("""{"metadata":"x","spec":{"containers":[{"name":"a"}]}}""", "metadata: expected an object, found a string")]
    public void A_malformed_pod_is_denied_with_the_path_of_the_problem(string pod, string problem)
    {
        var result = Run(Requests.Pod(Json.Parse(pod)), Enforcing);

        Assert.True(result.Denied);
        var finding = Assert.Single(result.Findings, f => f.CheckId == PodSecurityAdmissionCheck.MalformedPodCheckId);
        Assert.Equal(FindingAction.Deny, finding.Action);
        Assert.Contains(problem, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_without_an_object_is_denied_not_thrown_on()
    {
        var result = Run(Requests.Pod(default) with { Object = null }, Enforcing);

        Assert.True(result.Denied);
        Assert.Contains("the request carries no object", result.Findings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_old_object_makes_the_update_count_as_significant()
    {
        var result = Run(Requests.Pod(Pods.Parse(Pods.Privileged), operation: AdmissionOperation.Update, oldPod: Json.Parse("""{"spec":{"containers":"x"}}""")), Enforcing);

        Assert.True(result.Denied);
    }
}
