using System.Net;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Loading;
using Auditrail.Testing;

namespace Auditrail.Rbac.Tests.Loading;

/// <summary>
/// Reading a cluster through a kubeconfig, against a small fake apiserver on loopback that answers the
/// five list calls (one of them paged, one forbidden) the way kube-apiserver does.
/// </summary>
public sealed class ClusterRbacSourceTests : IDisposable
{
    private readonly FakeRbacApiServer _server = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-kubeconfig-").FullName;
    private readonly string _kubeconfig;

    // The current context is "other", so the tests' explicit "fake" shows the context option is honoured.
    public ClusterRbacSourceTests() => _kubeconfig = _server.WriteKubeconfig(_dir, currentContext: "other", "other");

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Lists_every_kind_across_pages_and_goes_on_when_one_list_is_forbidden()
    {
        var result = await ClusterRbacSource.LoadAsync(_kubeconfig, "fake", CancellationToken.None);

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal("cluster fake warning AR4015 cannot list serviceaccounts (forbidden for these credentials); the analysis goes on without them", warning.ToString());
        var snapshot = result.Snapshot;
        Assert.Equal(["aggregated", "part-one", "part-two"], snapshot.ClusterRoles.Select(r => r.Name));
        // Aggregation is recomputed from the parts, whatever the cluster had stored.
        Assert.Equal(["part-one", "part-two"], snapshot.GetClusterRole("aggregated")!.AggregatedFrom);
        Assert.Equal("cluster fake clusterroles/part-two", snapshot.GetClusterRole("part-two")!.Source.ToString());
        var binding = Assert.Single(snapshot.RoleBindings);
        Assert.Equal("ServiceAccount team/app", binding.Subjects[0].Describe(binding.Namespace));
        var authorizer = new RbacAuthorizer(snapshot);
        Assert.True(authorizer.Authorize(RequestAttributes.ForResource("get", "", "secrets", name: "s", @namespace: "team").As("system:serviceaccount:team:app").WithImpliedGroups()).Allowed);
        Assert.True(authorizer.Authorize(RequestAttributes.ForResource("list", "", "pods", @namespace: "any").As("ops-user", "ops").WithImpliedGroups()).Allowed);
        Assert.Contains(_server.Requests, r => r.Contains("continue=page2", StringComparison.Ordinal));
        Assert.All(_server.Requests, r => Assert.Contains("limit=500", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_context_is_one_clear_error()
    {
        var result = await ClusterRbacSource.LoadAsync(_kubeconfig, "nope", CancellationToken.None);

        var error = Assert.Single(result.Diagnostics);
        Assert.True(error.IsError);
        Assert.Equal(RbacCodes.ClusterUnavailable, error.Code);
        Assert.Contains("cannot use the kubeconfig", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Snapshot.AllRoles);
    }

    /// <summary>Answers the five list calls the way kube-apiserver does: clusterroles in two pages, serviceaccounts forbidden.</summary>
    private sealed class FakeRbacApiServer : LoopbackKubernetesApi
    {
        private readonly List<string> _requests = [];

        public IReadOnlyList<string> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        protected override Task AnswerAsync(HttpListenerContext context)
        {
            var url = context.Request.Url!;
            lock (_requests)
            {
                _requests.Add(url.PathAndQuery);
            }

            var (status, body) = Answer(url.AbsolutePath, url.Query);
            return WriteJsonAsync(context, status, body);
        }

        private static (int Status, string Body) Answer(string path, string query) => path switch
        {
            "/apis/rbac.authorization.k8s.io/v1/clusterroles" when query.Contains("continue=page2", StringComparison.Ordinal) => (200, List("ClusterRoleList", null,
                """{"metadata": {"name": "part-two", "labels": {"agg": "yes"}}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]}""")),
            "/apis/rbac.authorization.k8s.io/v1/clusterroles" => (200, List("ClusterRoleList", "page2",
                """{"metadata": {"name": "aggregated"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "yes"}}]}, "rules": []}""",
                """{"metadata": {"name": "part-one", "labels": {"agg": "yes"}}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}""")),
            "/apis/rbac.authorization.k8s.io/v1/roles" => (200, List("RoleList", null,
                """{"metadata": {"name": "secret-reader", "namespace": "team"}, "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}""")),
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings" => (200, List("ClusterRoleBindingList", null,
                """{"metadata": {"name": "ops"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "aggregated"}, "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"}]}""")),
            "/apis/rbac.authorization.k8s.io/v1/rolebindings" => (200, List("RoleBindingList", null,
                """{"metadata": {"name": "app", "namespace": "team"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"}, "subjects": [{"kind": "ServiceAccount", "name": "app"}]}""")),
            "/api/v1/serviceaccounts" => (403,
                """{"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "serviceaccounts is forbidden", "reason": "Forbidden", "code": 403}"""),
            _ => (404, """{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}"""),
        };

        private static string List(string kind, string? next, params string[] items)
        {
            var continuation = next is null ? string.Empty : $", \"continue\": \"{next}\"";
            return $$"""{"kind": "{{kind}}", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"resourceVersion": "42"{{continuation}}}, "items": [{{string.Join(", ", items)}}]}""";
        }
    }
}
