using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Tests.Evaluation;

/// <summary>Upstream checker semantics beyond its own table, each read from an audit event.</summary>
public sealed class EvaluationSemanticsTests
{
    private const string MatchAll = "  - level: Metadata\n";

    [Fact]
    public void First_matching_rule_wins_and_no_match_is_None_with_the_policys_omitStages()
    {
        var policy = Policies.Compile("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: [RequestReceived]
            rules:
              - level: Request
                verbs: [create]
                omitStages: [ResponseStarted]
              - level: RequestResponse
                verbs: [create, delete]
            """);

        var create = policy.Evaluate(Events.Request("create", resource: "pods", ns: "a"));
        var delete = policy.Evaluate(Events.Request("delete", resource: "pods", ns: "a", name: "p"));
        var get = policy.Evaluate(Events.Request("get", resource: "pods", ns: "a", name: "p"));

        Assert.Equal((AuditLevel.Request, 0), (create.Level, create.RuleIndex));
        Assert.Equal([AuditStage.RequestReceived, AuditStage.ResponseStarted], create.OmitStages.Stages);
        Assert.Equal((AuditLevel.RequestResponse, 1), (delete.Level, delete.RuleIndex));
        Assert.Equal((AuditLevel.None, -1), (get.Level, get.RuleIndex));
        Assert.Equal([AuditStage.RequestReceived], get.OmitStages.Stages);
        Assert.False(create.Records(AuditStage.RequestReceived));
        Assert.True(create.Records(AuditStage.ResponseComplete));
    }

    [Fact]
    public void A_failed_authentication_has_no_user_and_matches_no_user_or_group_selector()
    {
        var policy = Policies.Rules("""
              - level: Request
                users: [""]
              - level: RequestResponse
                userGroups: [system:unauthenticated]
              - level: Metadata
            """);

        var decision = policy.Evaluate(Events.Request("get", user: null, resource: "pods", ns: "default"));

        Assert.Equal(2, decision.RuleIndex);
    }

    [Fact]
    public void Anonymous_requests_have_a_user_and_match_their_name_and_group()
    {
        var policy = Policies.Rules("""
              - level: Request
                users: [system:anonymous]
                verbs: [post]
              - level: RequestResponse
                userGroups: [system:unauthenticated]
            """);

        var byName = policy.Evaluate(Events.Request("post", user: "system:anonymous", groups: ["system:unauthenticated"], uri: "/apis"));
        var byGroup = policy.Evaluate(Events.Request("get", user: "system:anonymous", groups: ["system:unauthenticated"], uri: "/healthz"));

        Assert.Equal(0, byName.RuleIndex);
        Assert.Equal(1, byGroup.RuleIndex);
    }

    [Fact]
    public void The_policy_sees_the_authenticated_user_not_the_impersonated_one()
    {
        var policy = Policies.Rules("""
              - level: None
                users: [bob]
              - level: Metadata
            """);
        var impersonating = Events.Parse("""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces","verb":"list",
             "user":{"username":"alice","groups":["devs"]},"impersonatedUser":{"username":"bob","groups":["system:masters"]},
             "objectRef":{"resource":"namespaces","apiVersion":"v1"}}
            """);

        Assert.Equal(1, policy.Evaluate(impersonating).RuleIndex);
    }

    [Theory]
    [InlineData("pods/*", null, true)]
    [InlineData("pods/*", "log", true)]
    [InlineData("*/log", null, false)]
    [InlineData("*/log", "log", true)]
    [InlineData("*/log", "exec", false)]
    [InlineData("*", "exec", true)]
    [InlineData("pods", "log", false)]
    [InlineData("pods/log", "log", true)]
    [InlineData("pods/log", null, false)]
    public void Resource_patterns_match_as_upstream(string pattern, string? subresource, bool matches)
    {
        var policy = Policies.Rules($"""
              - level: Request
                resources: [{"{"}group: "", resources: ["{pattern}"]{"}"}]
            """);

        var decision = policy.Evaluate(Events.Request("get", resource: "pods", ns: "default", name: "web", subresource: subresource));

        Assert.Equal(matches, decision.Matched);
    }

    [Fact]
    public void A_rule_for_a_group_selects_nothing_in_other_groups()
    {
        var policy = Policies.Rules("""
              - level: Request
                resources: [{group: apps}]
            """);

        Assert.True(policy.Evaluate(Events.Request("get", resource: "deployments", group: "apps", ns: "a", name: "d")).Matched);
        Assert.False(policy.Evaluate(Events.Request("get", resource: "pods", ns: "a", name: "p")).Matched);
        Assert.False(policy.Evaluate(Events.Request("get", uri: "/apis/apps/v1")).Matched);
    }

    [Fact]
    public void ResourceNames_match_the_name_in_the_url_so_a_create_never_has_one()
    {
        var policy = Policies.Rules("""
              - level: RequestResponse
                resources:
                  - group: ""
                    resources: [configmaps, pods/eviction]
                    resourceNames: [cluster-info, web]
            """);

        Assert.True(policy.Evaluate(Events.Request("get", resource: "configmaps", ns: "kube-public", name: "cluster-info")).Matched);
        Assert.False(policy.Evaluate(Events.Request("get", resource: "configmaps", ns: "kube-public", name: "other")).Matched);

        // objectRef.name of a create is filled in from the body after the policy was evaluated.
        Assert.False(policy.Evaluate(Events.Request("create", resource: "configmaps", ns: "kube-public", name: "cluster-info")).Matched);

        // A subresource create names its object in the URL: POST .../pods/web/eviction.
        Assert.True(policy.Evaluate(Events.Request("create", resource: "pods", ns: "a", name: "web", subresource: "eviction")).Matched);
    }

    [Fact]
    public void The_empty_namespace_is_cluster_scope()
    {
        var policy = Policies.Rules("""
              - level: Request
                namespaces: [""]
            """);

        Assert.True(policy.Evaluate(Events.Request("get", resource: "nodes", name: "n1")).Matched);
        Assert.False(policy.Evaluate(Events.Request("get", resource: "pods", ns: "default", name: "p")).Matched);
        Assert.False(policy.Evaluate(Events.Request("get", uri: "/healthz")).Matched);
    }

    [Theory]
    [InlineData("/healthz*", "/healthz", true)]
    [InlineData("/healthz*", "/healthz/etcd", true)]
    [InlineData("/healthz*", "/healthzz", true)]
    [InlineData("/healthz/*", "/healthz", false)]
    [InlineData("/version", "/version?timeout=32s", true)]
    [InlineData("/version", "/version/", false)]
    [InlineData("*", "/anything", true)]
    [InlineData("/logs/kube%20apiserver.log", "/logs/kube%20apiserver.log", false)]
    [InlineData("/logs/kube apiserver.log", "/logs/kube%20apiserver.log", true)]
    public void Non_resource_urls_match_the_path_without_the_query(string spec, string uri, bool matches)
    {
        var policy = Policies.Rules($"""
              - level: Request
                nonResourceURLs: ["{spec}"]
            """);

        Assert.Equal(matches, policy.Evaluate(Events.Request("get", uri: uri)).Matched);
    }

    [Fact]
    public void Non_resource_rules_never_match_resource_requests()
    {
        var policy = Policies.Rules("""
              - level: Request
                nonResourceURLs: ["*"]
              - level: Metadata
            """);

        Assert.Equal(1, policy.Evaluate(Events.Request("get", resource: "pods", ns: "a", uri: "/api/v1/namespaces/a/pods")).RuleIndex);
    }

    [Fact]
    public void OmitManagedFields_of_a_rule_overrides_the_policys()
    {
        var policy = Policies.Compile("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitManagedFields: true
            rules:
              - level: Request
                verbs: [update]
                omitManagedFields: false
              - level: Request
            """);

        Assert.False(policy.Evaluate(Events.Request("update", resource: "pods", ns: "a", name: "p")).OmitManagedFields);
        Assert.True(policy.Evaluate(Events.Request("patch", resource: "pods", ns: "a", name: "p")).OmitManagedFields);
    }

    [Fact]
    public void Policies_with_more_than_64_rules_find_the_first_match_in_any_word()
    {
        var rules = string.Concat(Enumerable.Range(0, 130).Select(i => $"  - level: Request\n    users: [user-{i}]\n"));
        var policy = Policies.Rules(rules + MatchAll);

        Assert.Equal(0, policy.Evaluate(Events.Request("get", user: "user-0", uri: "/")).RuleIndex);
        Assert.Equal(70, policy.Evaluate(Events.Request("get", user: "user-70", uri: "/")).RuleIndex);
        Assert.Equal(129, policy.Evaluate(Events.Request("get", user: "user-129", uri: "/")).RuleIndex);
        Assert.Equal(130, policy.Evaluate(Events.Request("get", user: "someone", uri: "/")).RuleIndex);
    }

    [Fact]
    public void Groups_are_matched_from_the_events_group_list()
    {
        var policy = Policies.Rules("""
              - level: Request
                userGroups: [system:nodes, ops]
            """);

        Assert.True(policy.Evaluate(Events.Request("get", user: "system:node:n1", groups: ["system:authenticated", "system:nodes"], uri: "/")).Matched);
        Assert.False(policy.Evaluate(Events.Request("get", user: "alice", groups: ["system:authenticated", "devs"], uri: "/")).Matched);
    }
}
