using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.LeastPrivilege;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.LeastPrivilege;

/// <summary>Compaction merges without widening, and the same input gives the same rules in any order.</summary>
public sealed class RuleCompactorTests
{
    private static PolicyRule Rule(string verb, string group, string resource, string name = "") =>
        new() { Verbs = [verb], ApiGroups = [group], Resources = [resource], ResourceNames = name.Length == 0 ? [] : [name] };

    [Fact]
    public void Verbs_merge_per_resource_and_resources_merge_per_verbs()
    {
        var rules = RuleCompactor.Compact([Rule("get", "", "pods"), Rule("list", "", "pods"), Rule("get", "", "configmaps"), Rule("list", "", "configmaps"), Rule("delete", "", "pods")]);

        Assert.Equal(
            ["verbs=[get list] apiGroups=[\"\"] resources=[configmaps]", "verbs=[delete get list] apiGroups=[\"\"] resources=[pods]"],
            rules.Select(r => r.ToString()));
    }

    [Fact]
    public void Names_merge_per_resource_and_verbs_and_an_unnamed_grant_absorbs_named_verbs()
    {
        var rules = RuleCompactor.Compact([Rule("get", "", "secrets", "a"), Rule("get", "", "secrets", "b"), Rule("update", "", "secrets", "a"), Rule("update", "", "secrets", "b"), Rule("get", "", "configmaps"), Rule("get", "", "configmaps", "x"), Rule("patch", "", "configmaps", "x")]);

        Assert.Equal(
            [
                "verbs=[get] apiGroups=[\"\"] resources=[configmaps]",
                "verbs=[patch] apiGroups=[\"\"] resources=[configmaps] resourceNames=[x]",
                "verbs=[get update] apiGroups=[\"\"] resources=[secrets] resourceNames=[a b]",
            ],
            rules.Select(r => r.ToString()));
    }

    [Fact]
    public void Groups_are_never_merged_and_paths_merge_per_verbs()
    {
        var rules = RuleCompactor.Compact([Rule("get", "apps", "deployments"), Rule("get", "extensions", "deployments"), new PolicyRule { Verbs = ["get"], NonResourceUrls = ["/metrics"] }, new PolicyRule { Verbs = ["get"], NonResourceUrls = ["/healthz"] }]);

        Assert.Equal(
            ["verbs=[get] apiGroups=[apps] resources=[deployments]", "verbs=[get] apiGroups=[extensions] resources=[deployments]", "verbs=[get] nonResourceURLs=[/healthz /metrics]"],
            rules.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Compacted_rules_allow_exactly_what_the_input_allowed_in_any_input_order(int seed)
    {
        var random = new Random(seed);
        string[] verbs = ["get", "list", "watch", "update", "delete"];
        string[] groups = ["", "apps"];
        string[] resources = ["pods", "secrets", "pods/log"];
        string[] names = ["", "a", "b"];
        var input = Enumerable.Range(0, 25).Select(_ => Rule(Pick(verbs), Pick(groups), Pick(resources), Pick(names))).ToList();

        var compacted = RuleCompactor.Compact(input);
        var shuffled = RuleCompactor.Compact(input.OrderBy(_ => random.Next()));

        Assert.Equal(compacted.Select(r => r.ToString()), shuffled.Select(r => r.ToString()));
        Assert.True(compacted.Count <= input.Count);
        foreach (var verb in verbs)
        {
            foreach (var group in groups)
            {
                foreach (var resource in resources)
                {
                    foreach (var name in names.Append("other"))
                    {
                        var parts = resource.Split('/');
                        var request = RequestAttributes.ForResource(verb, group, parts[0], parts.Length > 1 ? parts[1] : "", name == "" ? "" : name, "ns");
                        Assert.Equal(input.Any(r => RbacAuthorizer.RuleAllows(r, request)), compacted.Any(r => RbacAuthorizer.RuleAllows(r, request)));
                    }
                }
            }
        }

        string Pick(string[] values) => values[random.Next(values.Length)];
    }
}
