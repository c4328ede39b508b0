using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.Tests.AuditLog;

/// <summary>Audit events back to the attributes the authorizer saw.</summary>
public sealed class AuditRequestMapperTests
{
    private static RequestAttributes Single(string line) => Assert.Single(TestEvents.Collect([line]).Requests()).Attributes;

    [Fact]
    public void Create_of_an_object_has_no_name_although_the_audit_event_names_it()
    {
        var request = Single(TestEvents.Line("bob", "create", "/api/v1/namespaces/ns1/configmaps", new { resource = "configmaps", @namespace = "ns1", name = "cm1", apiVersion = "v1" }));

        Assert.Equal(("create", "configmaps", "", "ns1"), (request.Verb, request.Resource, request.Name, request.Namespace));
    }

    [Fact]
    public void Create_on_a_subresource_keeps_the_name_of_its_url()
    {
        var request = Single(TestEvents.Line("bob", "create", "/api/v1/namespaces/ns1/pods/web-1/eviction",
            new { resource = "pods", subresource = "eviction", @namespace = "ns1", name = "web-1", apiVersion = "v1" }));

        Assert.Equal(("pods/eviction", "web-1"), (request.CombinedResource, request.Name));
    }

    [Fact]
    public void Other_verbs_keep_the_objectRef_name_and_group()
    {
        var request = Single(TestEvents.Line("bob", "patch", "/apis/apps/v1/namespaces/ns1/deployments/web",
            new { resource = "deployments", @namespace = "ns1", name = "web", apiGroup = "apps", apiVersion = "v1" }));

        Assert.Equal(("patch", "apps", "deployments", "web", "ns1"), (request.Verb, request.ApiGroup, request.Resource, request.Name, request.Namespace));
    }

    [Fact]
    public void Non_resource_request_uses_the_path_without_its_query()
    {
        var request = Single(TestEvents.Line("bob", "get", "/metrics?format=text", objectRef: null));

        Assert.False(request.IsResourceRequest);
        Assert.Equal("/metrics", request.Path);
    }

    [Fact]
    public void Impersonated_request_is_made_by_the_impersonated_user_and_the_impersonator_passed_impersonate_checks()
    {
        var line = TestEvents.Line("admin", "list", "/api/v1/namespaces/ns1/pods", new { resource = "pods", @namespace = "ns1", apiVersion = "v1" },
            impersonated: new
            {
                username = "system:serviceaccount:ns1:sa1",
                uid = "u-1",
                groups = new[] { "system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated", "auditors" },
                extra = new Dictionary<string, string[]> { ["scopes"] = ["view", "edit"] },
            });

        var requests = TestEvents.Collect([line]).Requests().Select(r => r.Attributes).ToList();

        var own = Assert.Single(requests, r => r.Verb == "list");
        Assert.Equal("system:serviceaccount:ns1:sa1", own.User);
        Assert.Contains("auditors", own.Groups);
        var checks = requests.Where(r => r.Verb == "impersonate").Select(r => (r.User, r.ApiGroup, r.CombinedResource, r.Name, r.Namespace)).ToList();
        Assert.Equal(
            [
                ("admin", "", "groups", "auditors", ""),
                ("admin", "", "serviceaccounts", "sa1", "ns1"),
                ("admin", "authentication.k8s.io", "uids", "u-1", ""),
                ("admin", "authentication.k8s.io", "userextras/scopes", "edit", ""),
                ("admin", "authentication.k8s.io", "userextras/scopes", "view", ""),
            ],
            checks.Order());
    }

    [Fact]
    public void Failed_authentication_has_no_request_to_authorize()
    {
        var collector = TestEvents.Collect([TestEvents.Line("", "get", "/api", objectRef: null, code: 401, stage: "ResponseStarted")]);

        Assert.Empty(collector.Requests());
        Assert.Equal(1, Assert.Single(collector.Skipped).Value);
    }
}
