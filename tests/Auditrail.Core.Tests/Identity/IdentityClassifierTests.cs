using Auditrail.Core.Identity;

namespace Auditrail.Core.Tests.Identity;

public class IdentityClassifierTests
{
    [Theory]
    [InlineData("system:serviceaccount:kube-system:replicaset-controller", IdentityKind.ServiceAccount)]
    [InlineData("system:node:ip-10-0-1-5.ec2.internal", IdentityKind.Node)]
    [InlineData("system:kube-controller-manager", IdentityKind.ControlPlane)]
    [InlineData("system:kube-scheduler", IdentityKind.ControlPlane)]
    [InlineData("system:apiserver", IdentityKind.ControlPlane)]
    [InlineData("eks:node-manager", IdentityKind.ControlPlane)]
    [InlineData("aksService", IdentityKind.ControlPlane)]
    [InlineData("nodeclient", IdentityKind.Node)]
    [InlineData("system:anonymous", IdentityKind.Anonymous)]
    [InlineData("", IdentityKind.Unauthenticated)]
    [InlineData(null, IdentityKind.Unauthenticated)]
    [InlineData("alice@example.com", IdentityKind.Human)]
    [InlineData("minikube-user", IdentityKind.Human)]
    [InlineData("kubernetes-admin", IdentityKind.Human)]
    [InlineData("system:admin", IdentityKind.Human)]
    public void Usernames_are_classified_by_kubernetes_conventions(string? username, IdentityKind expected) =>
        Assert.Equal(expected, IdentityClassifier.Classify(username).Kind);

    [Fact]
    public void Service_account_namespace_and_name_are_split()
    {
        var info = IdentityClassifier.Classify("system:serviceaccount:payments:ci-deployer");

        Assert.Equal("payments", info.ServiceAccountNamespace);
        Assert.Equal("ci-deployer", info.ServiceAccountName);
    }

    [Fact]
    public void A_malformed_service_account_name_is_not_a_service_account()
    {
        Assert.NotEqual(IdentityKind.ServiceAccount, IdentityClassifier.Classify("system:serviceaccount:onlynamespace").Kind);
    }

    [Fact]
    public void Members_of_system_nodes_are_nodes() =>
        Assert.Equal(IdentityKind.Node, IdentityClassifier.Classify("kubelet-bootstrap-7", ["system:nodes", "system:authenticated"]).Kind);

    [Fact]
    public void Node_name_is_extracted() =>
        Assert.Equal("worker-1", IdentityClassifier.Classify("system:node:worker-1").NodeName);
}
