using Auditrail.Core.Reading.Envelopes;

namespace Auditrail.Core.Tests.Reading.Envelopes;

public class GkeOperationTests
{
    // methodName | resourceName | verb | requestURI | apiGroup | version | namespace | resource | name | subresource
    // ("-" = absent). The method/resource pairs are the shapes GKE writes, as seen in public exports.
    [Theory]
    [InlineData("io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods/nginx", "create", "/api/v1/namespaces/default/pods", "", "v1", "default", "pods", "nginx", "-")]
    [InlineData("io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods", "create", "/api/v1/namespaces/default/pods", "", "v1", "default", "pods", "-", "-")]
    [InlineData("io.k8s.core.v1.pods.exec.create", "core/v1/namespaces/shop/pods/api-1/exec", "create", "/api/v1/namespaces/shop/pods/api-1/exec", "", "v1", "shop", "pods", "api-1", "exec")]
    [InlineData("io.k8s.core.v1.serviceaccounts.token.create", "core/v1/namespaces/shop/serviceaccounts/api/token", "create", "/api/v1/namespaces/shop/serviceaccounts/api/token", "", "v1", "shop", "serviceaccounts", "api", "token")]
    [InlineData("io.k8s.core.v1.nodes.status.patch", "core/v1/nodes/gke-p0-default-6400229f-n02c/status", "patch", "/api/v1/nodes/gke-p0-default-6400229f-n02c/status", "", "v1", "-", "nodes", "gke-p0-default-6400229f-n02c", "status")]
    [InlineData("io.k8s.core.v1.nodes.list", "core/v1/nodes", "list", "/api/v1/nodes", "", "v1", "-", "nodes", "-", "-")]
    [InlineData("io.k8s.core.v1.pods.list", "core/v1/pods", "list", "/api/v1/pods", "", "v1", "-", "pods", "-", "-")]
    [InlineData("io.k8s.core.v1.namespaces.create", "core/v1/namespaces/team-a", "create", "/api/v1/namespaces", "", "v1", "-", "namespaces", "team-a", "-")]
    [InlineData("io.k8s.core.v1.namespaces.get", "core/v1/namespaces/kube-system", "get", "/api/v1/namespaces/kube-system", "", "v1", "-", "namespaces", "kube-system", "-")]
    [InlineData("io.k8s.core.v1.namespaces.finalize.update", "core/v1/namespaces/foo/finalize", "update", "/api/v1/namespaces/foo/finalize", "", "v1", "-", "namespaces", "foo", "finalize")]
    [InlineData("io.k8s.core.v1.namespaces.list", "core/v1/namespaces", "list", "/api/v1/namespaces", "", "v1", "-", "namespaces", "-", "-")]
    [InlineData("io.k8s.apps.v1.deployments.scale.update", "apps/v1/namespaces/kube-system/deployments/coredns/scale", "update", "/apis/apps/v1/namespaces/kube-system/deployments/coredns/scale", "apps", "v1", "kube-system", "deployments", "coredns", "scale")]
    [InlineData("io.k8s.apps.v1.deployments.patch", "apps/v1/namespaces/kube-system/deployments/konnectivity-agent", "patch", "/apis/apps/v1/namespaces/kube-system/deployments/konnectivity-agent", "apps", "v1", "kube-system", "deployments", "konnectivity-agent", "-")]
    [InlineData("io.k8s.authorization.rbac.v1.clusterroles.create", "rbac.authorization.k8s.io/v1/clusterroles/foo", "create", "/apis/rbac.authorization.k8s.io/v1/clusterroles", "rbac.authorization.k8s.io", "v1", "-", "clusterroles", "foo", "-")]
    [InlineData("io.k8s.authorization.rbac.v1.rolebindings.delete", "rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/edit", "delete", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/edit", "rbac.authorization.k8s.io", "v1", "dev", "rolebindings", "edit", "-")]
    [InlineData("io.k8s.authorization.v1beta1.subjectaccessreviews.create", "authorization.k8s.io/v1beta1/subjectaccessreviews", "create", "/apis/authorization.k8s.io/v1beta1/subjectaccessreviews", "authorization.k8s.io", "v1beta1", "-", "subjectaccessreviews", "-", "-")]
    [InlineData("io.k8s.coordination.v1.leases.update", "coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler", "update", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler", "coordination.k8s.io", "v1", "kube-system", "leases", "kube-scheduler", "-")]
    [InlineData("io.k8s.extensions.v1beta1.ingresses.list", "extensions/v1beta1/namespaces/cos-auditd/ingresses", "list", "/apis/extensions/v1beta1/namespaces/cos-auditd/ingresses", "extensions", "v1beta1", "cos-auditd", "ingresses", "-", "-")]
    [InlineData("io.cert-manager.v1.certificates.create", "cert-manager.io/v1/namespaces/web/certificates/tls", "create", "/apis/cert-manager.io/v1/namespaces/web/certificates", "cert-manager.io", "v1", "web", "certificates", "tls", "-")]
    [InlineData("io.k8s.core.v1.pods.watch", "core/v1/namespaces/default/pods", "watch", "/api/v1/namespaces/default/pods?watch=true", "", "v1", "default", "pods", "-", "-")]
    [InlineData("io.k8s.core.v1.configmaps.watch", "core/v1/namespaces/kube-system/configmaps/cluster-kubestore", "watch", "/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Dcluster-kubestore&watch=true", "", "v1", "kube-system", "configmaps", "cluster-kubestore", "-")]
    [InlineData("io.k8s.networking.gateway.v1beta1.gatewayclasses.status.update", "gateway.networking.k8s.io/v1beta1/gatewayclasses/gke-l7-rilb/status", "update", "/apis/gateway.networking.k8s.io/v1beta1/gatewayclasses/gke-l7-rilb/status", "gateway.networking.k8s.io", "v1beta1", "-", "gatewayclasses", "gke-l7-rilb", "status")]
    [InlineData("io.k8s.core.v1.pods.deletecollection", "core/v1/namespaces/ci/pods", "deletecollection", "/api/v1/namespaces/ci/pods", "", "v1", "ci", "pods", "-", "-")]
    public void Resource_request_is_recovered(
        string method, string resourceName, string verb, string uri, string group, string version, string ns, string resource, string name, string subresource)
    {
        Assert.True(GkeOperation.TryParse(method, resourceName, out var operation, out var error), error);
        Assert.Equal(verb, operation!.Verb);
        Assert.Equal(uri, operation.RequestUri);
        Assert.True(operation.IsResourceRequest);
        Assert.Equal(group, operation.ApiGroup);
        Assert.Equal(version, operation.ApiVersion);
        Assert.Equal(Absent(ns), operation.Namespace);
        Assert.Equal(resource, operation.Resource);
        Assert.Equal(Absent(name), operation.Name);
        Assert.Equal(Absent(subresource), operation.Subresource);
    }

    [Theory]
    [InlineData("io.k8s.get", "readyz", "get", "/readyz")]
    [InlineData("io.k8s.get", "api/v1", "get", "/api/v1")]
    [InlineData("io.k8s.get", "apis/metrics.k8s.io/v1beta1", "get", "/apis/metrics.k8s.io/v1beta1")]
    [InlineData("io.k8s.post", "/logs", "post", "/logs")]
    public void Non_resource_request_keeps_its_path(string method, string resourceName, string verb, string uri)
    {
        Assert.True(GkeOperation.TryParse(method, resourceName, out var operation, out var error), error);
        Assert.False(operation!.IsResourceRequest);
        Assert.Equal(verb, operation.Verb);
        Assert.Equal(uri, operation.RequestUri);
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("v2", true)]
    [InlineData("v1beta1", true)]
    [InlineData("v2alpha3", true)]
    [InlineData("v10", true)]
    [InlineData("v", false)]
    [InlineData("v1beta", false)]
    [InlineData("v1gamma1", false)]
    [InlineData("version", false)]
    [InlineData("pods", false)]
    public void Kubernetes_versions_are_recognised(string token, bool isVersion) =>
        Assert.Equal(isVersion, GkeOperation.IsKubernetesVersion(token));

    private static string? Absent(string value) => value == "-" ? null : value;
}
