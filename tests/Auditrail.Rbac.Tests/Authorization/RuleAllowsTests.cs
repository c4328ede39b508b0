using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.Authorization;

/// <summary>Each clause of upstream RuleAllows / evaluation_helpers.go, one case per line.</summary>
public sealed class RuleAllowsTests
{
    // rule: "verbs|apiGroups|resources|resourceNames" (comma lists; "~" is the empty string, the core group)
    // request: "verb|group|resource|subresource|name"
    [Theory]
    [InlineData("get|~|pods|", "get|~|pods||", true)]
    [InlineData("get|~|pods|", "list|~|pods||", false)]
    [InlineData("*|~|pods|", "deletecollection|~|pods||", true)]
    [InlineData("get,list|~|pods|", "list|~|pods||", true)]
    [InlineData("escalate|*|*|", "escalate|rbac.authorization.k8s.io|clusterroles||", true)]
    [InlineData("get|*|pods|", "get|metrics.k8s.io|pods||", true)]
    [InlineData("get|apps|deployments|", "get|extensions|deployments||", false)]
    [InlineData("get|~|deployments|", "get|apps|deployments||", false)]
    [InlineData("get|~|*|", "get|~|pods|log|", true)]
    [InlineData("get|~|pods|", "get|~|pods|log|", false)]
    [InlineData("get|~|pods/log|", "get|~|pods|log|", true)]
    [InlineData("get|~|pods/log|", "get|~|pods||", false)]
    [InlineData("create|~|*/exec|", "create|~|pods|exec|", true)]
    [InlineData("create|~|*/exec|", "create|~|pods||", false)]
    [InlineData("create|~|*/exec|", "create|~|pods|execute|", false)]
    [InlineData("create|~|pods/*|", "create|~|pods|exec|", false)]
    [InlineData("create|~|pods/*|", "create|~|pods||", false)]
    [InlineData("get|~|Pods|", "get|~|pods||", false)]
    [InlineData("get|~|configmaps|aws-auth", "get|~|configmaps||aws-auth", true)]
    [InlineData("get|~|configmaps|aws-auth", "get|~|configmaps||other", false)]
    [InlineData("get,list|~|configmaps|aws-auth", "list|~|configmaps||", false)]
    [InlineData("create|~|configmaps|aws-auth", "create|~|configmaps||", false)]
    [InlineData("get|~|configmaps|", "get|~|configmaps||anything", true)]
    [InlineData("update|~|deployments/scale|", "update|~|deployments|scale|", true)]
    [InlineData("update|~|deployments/scale|", "update|~|replicasets|scale|", false)]
    public void Resource_request_matches_as_upstream(string rule, string request, bool expected)
    {
        var r = rule.Split('|');
        var q = request.Split('|');
        var policyRule = new PolicyRule { Verbs = List(r[0]), ApiGroups = List(r[1]), Resources = List(r[2]), ResourceNames = List(r[3]) };
        var attributes = RequestAttributes.ForResource(q[0], Value(q[1]), q[2], q[3], q[4]);

        Assert.Equal(expected, RbacAuthorizer.RuleAllows(policyRule, attributes));
    }

    [Theory]
    [InlineData("get", "/healthz", "get", "/healthz", true)]
    [InlineData("get", "/healthz", "get", "/healthz/ready", false)]
    [InlineData("get", "/healthz/*", "get", "/healthz/ready", true)]
    [InlineData("get", "/healthz/*", "get", "/healthz/", true)]
    [InlineData("get", "/healthz/*", "get", "/healthz", false)]
    [InlineData("get", "/healthz*", "get", "/healthzfoo", true)]
    [InlineData("get", "/api**", "get", "/apis/apps", true)]
    [InlineData("get", "*", "get", "/anything/at/all", true)]
    [InlineData("get", "/metrics", "post", "/metrics", false)]
    [InlineData("*", "/metrics", "post", "/metrics", true)]
    [InlineData("get", "/he*lthz", "get", "/healthz", false)]
    public void Non_resource_request_matches_as_upstream(string verbs, string urls, string verb, string path, bool expected)
    {
        var rule = new PolicyRule { Verbs = List(verbs), NonResourceUrls = List(urls) };

        Assert.Equal(expected, RbacAuthorizer.RuleAllows(rule, RequestAttributes.ForNonResource(verb, path)));
    }

    [Fact]
    public void Resource_rule_never_allows_a_non_resource_request_and_the_reverse()
    {
        var resourceRule = new PolicyRule { Verbs = ["*"], ApiGroups = ["*"], Resources = ["*"] };
        var urlRule = new PolicyRule { Verbs = ["*"], NonResourceUrls = ["*"] };

        Assert.False(RbacAuthorizer.RuleAllows(resourceRule, RequestAttributes.ForNonResource("get", "/healthz")));
        Assert.False(RbacAuthorizer.RuleAllows(urlRule, RequestAttributes.ForResource("get", "", "pods")));
    }

    [Fact]
    public void Rule_without_groups_allows_no_resource()
    {
        var rule = new PolicyRule { Verbs = ["get"], Resources = ["pods"] };

        Assert.False(RbacAuthorizer.RuleAllows(rule, RequestAttributes.ForResource("get", "", "pods")));
    }

    private static string[] List(string value) => value.Length == 0 ? [] : [.. value.Split(',').Select(Value)];

    private static string Value(string value) => value == "~" ? string.Empty : value;
}
