using Auditrail.Detection.Responses;

namespace Auditrail.Detection.Tests.Responses;

public sealed class ResponseTargetTests
{
    [Theory]
    [InlineData("team/pods/web-1", "", "pods", "team", "web-1")]
    [InlineData("team/pods/web-1/exec", "", "pods", "team", "web-1")]
    [InlineData("team/deployments.apps/web/scale", "apps", "deployments", "team", "web")]
    [InlineData("team/deployments/web", "apps", "deployments", "team", "web")]
    [InlineData("nodes/node-1", "", "nodes", null, "node-1")]
    [InlineData("nodes/node-1/status", "", "nodes", null, "node-1")]
    [InlineData("clusterrolebindings.rbac.authorization.k8s.io/admin", "rbac.authorization.k8s.io", "clusterrolebindings", null, "admin")]
    [InlineData("clusterrolebindings/admin", "rbac.authorization.k8s.io", "clusterrolebindings", null, "admin")]
    [InlineData("team/widgets.example.com/w", "example.com", "widgets", "team", "w")]
    [InlineData("widgets.example.com/w/status", "example.com", "widgets", null, "w")]
    public void Reads_alert_targets(string text, string group, string resource, string? ns, string name)
    {
        var target = ResponseTarget.TryParse(text, out var problem);

        Assert.Null(problem);
        Assert.Equal(new ResponseTarget(group, resource, ns, name), target);
    }

    [Theory]
    [InlineData("/healthz", "target '/healthz' is a request URI, not an object")]
    [InlineData("team/pods", "target 'team/pods' does not name an object (expected [namespace/]resource[.group]/name)")]
    [InlineData("nodes", "target 'nodes' does not name an object (expected [namespace/]resource[.group]/name)")]
    [InlineData("team//web", "target 'team//web' has an empty segment")]
    [InlineData("a/b/c/d/e", "target 'a/b/c/d/e' does not name an object (expected [namespace/]resource[.group]/name)")]
    public void Refuses_what_is_not_an_object(string text, string expected)
    {
        Assert.Null(ResponseTarget.TryParse(text, out var problem));
        Assert.Equal(expected, problem);
    }
}

public sealed class MetadataKeysTests
{
    [Theory]
    [InlineData(ResponseActionKind.Label, "auditrail.io/quarantine", "true", null)]
    [InlineData(ResponseActionKind.Label, "quarantine", "", null)]
    [InlineData(ResponseActionKind.Annotate, "auditrail.io/note", "exec by mallory at 12:00, see alert a-1", null)]
    [InlineData(ResponseActionKind.Label, "auditrail.io/note", "exec by mallory", "label 'auditrail.io/note': the value 'exec by mallory' must be empty or 1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside")]
    [InlineData(ResponseActionKind.Annotate, "Auditrail.IO/note", "x", "key 'Auditrail.IO/note': the prefix must be a lower-case DNS subdomain of at most 253 characters")]
    [InlineData(ResponseActionKind.Label, "-bad", "x", "key '-bad': the name part must be 1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside")]
    [InlineData(ResponseActionKind.Label, "auditrail.io/", "x", "key 'auditrail.io/': the name part must be 1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside")]
    public void Follows_the_apiserver_rules_for_keys_and_label_values(ResponseActionKind kind, string key, string value, string? expected)
    {
        Assert.Equal(expected, MetadataKeys.Problem(kind, key, value));
    }

    [Fact]
    public void A_name_part_of_64_characters_is_too_long()
    {
        Assert.Null(MetadataKeys.Problem(ResponseActionKind.Label, new string('a', 63), "x"));
        Assert.NotNull(MetadataKeys.Problem(ResponseActionKind.Label, new string('a', 64), "x"));
    }
}
