using Auditrail.Cli.Commands.Rbac;
using Auditrail.Rbac.Model;

namespace Auditrail.Cli.Tests.Commands.Rbac;

/// <summary>kubectl-style request arguments: resource.group, subresources, short names, groups learnt from the rules.</summary>
public sealed class RequestArgumentsTests
{
    private static readonly RbacSnapshot Rules = new(
        [new RbacRole
        {
            IsClusterRole = true,
            Name = "r",
            Rules =
            [
                new PolicyRule { Verbs = ["get"], ApiGroups = ["extensions", "apps"], Resources = ["deployments", "deployments/scale"] },
                new PolicyRule { Verbs = ["get"], ApiGroups = ["", "events.k8s.io"], Resources = ["events"] },
                new PolicyRule { Verbs = ["get"], ApiGroups = ["*"], Resources = ["widgets"] },
            ],
        }],
        []);

    [Theory]
    [InlineData("deployments.apps/scale", "apps", "deployments", "scale")]
    [InlineData("deploy", "apps", "deployments", "")]
    [InlineData("po/exec", "", "pods", "exec")]
    [InlineData("events", "", "events", "")]
    [InlineData("cronjobs.batch/status", "batch", "cronjobs", "status")]
    public void Resources_are_split_into_group_resource_and_subresource(string target, string group, string resource, string subresource)
    {
        var request = RequestArguments.Parse("get", target, "n", "ns", Rules, out var note, out var error)!;

        Assert.Null(error);
        Assert.Null(note);
        Assert.Equal((group, resource, subresource, "n", "ns"), (request.ApiGroup, request.Resource, request.Subresource, request.Name, request.Namespace));
    }

    [Fact]
    public void A_bare_resource_named_in_several_groups_prefers_the_current_one_and_says_so()
    {
        var request = RequestArguments.Parse("get", "deployments", null, "ns", Rules, out var note, out _)!;

        Assert.Equal("apps", request.ApiGroup);
        Assert.Equal("note: 'deployments' is named in groups apps, extensions; using apps (write deployments.GROUP for another)", note);
    }

    [Fact]
    public void A_resource_no_rule_names_in_a_group_is_taken_as_core_with_a_note()
    {
        var request = RequestArguments.Parse("get", "widgets", null, null, Rules, out var note, out _)!;

        Assert.Equal(string.Empty, request.ApiGroup);
        Assert.Contains("assuming the core group", note);
    }

    [Fact]
    public void Non_resource_urls_keep_their_path()
    {
        var request = RequestArguments.Parse("get", "/logs/kube.log", null, null, Rules, out _, out _)!;

        Assert.False(request.IsResourceRequest);
        Assert.Equal("/logs/kube.log", request.Path);
    }
}
