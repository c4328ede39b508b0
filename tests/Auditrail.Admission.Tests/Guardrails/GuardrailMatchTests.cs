using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.Support;

namespace Auditrail.Admission.Tests.Guardrails;

/// <summary>Which requests a guardrail's match selects.</summary>
public sealed class GuardrailMatchTests
{
    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}""";

    private static bool Matches(string match, AdmissionRequest request, AdmissionContext? context = null)
    {
        var set = Requests.Guardrails(Requests.Guardrail("g", $"""
              match: {match}
              validations: [{"{"}expression: "true"{"}"}]
            """));
        return set.Guardrails[0].Matches(request, context ?? Requests.Namespaces());
    }

    [Theory]
    [InlineData("{kinds: [Pod]}", true)]
    [InlineData("{kinds: [v1/Pod]}", true)]
    [InlineData("{kinds: [apps/v1/Pod]}", false)]
    [InlineData("{kinds: [Deployment]}", false)]
    [InlineData("{kinds: ['*']}", true)]
    [InlineData("{kinds: [Pod], apiGroups: [apps]}", false)]
    [InlineData("{kinds: [Pod], apiGroups: ['']}", true)]
    [InlineData("{}", true)]
    public void Kinds(string match, bool expected) => Assert.Equal(expected, Matches(match, Requests.Pod(Pod)));

    [Fact]
    public void Operations_default_to_create_and_update()
    {
        Assert.True(Matches("{}", Requests.Pod(Pod, operation: AdmissionOperation.Update, oldJson: Pod)));
        Assert.False(Matches("{}", Requests.Pod(Pod, operation: AdmissionOperation.Delete)));
        Assert.True(Matches("{operations: [DELETE]}", Requests.Pod(Pod, operation: AdmissionOperation.Delete)));
        Assert.False(Matches("{operations: [UPDATE]}", Requests.Pod(Pod)));
        Assert.True(Matches("{operations: ['*']}", Requests.Pod(Pod, operation: AdmissionOperation.Connect)));
    }

    [Fact]
    public void Namespaces_and_excluded_namespaces()
    {
        Assert.True(Matches("{namespaces: [team-a]}", Requests.Pod(Pod, ns: "team-a")));
        Assert.False(Matches("{namespaces: [team-a]}", Requests.Pod(Pod, ns: "team-b")));
        Assert.False(Matches("{excludeNamespaces: [kube-system]}", Requests.Pod(Pod, ns: "kube-system")));

        // A cluster-scoped object is in no namespace of a list, and no exclusion concerns it.
        var node = Requests.Of(string.Empty, "v1", "Node", "nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}}""", ns: null);
        Assert.False(Matches("{namespaces: [team-a]}", node));
        Assert.True(Matches("{excludeNamespaces: [team-a]}", node));
    }

    [Fact]
    public void Namespace_selectors_read_the_namespace_labels_as_the_apiserver_does()
    {
        var context = Requests.Namespaces(("prod", """{"env":"prod","tier":"web"}"""), ("dev", """{"env":"dev"}"""));
        const string Selector = "{namespaceSelector: {matchLabels: {tier: web}, matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}}";

        Assert.True(Matches(Selector, Requests.Pod(Pod, ns: "prod"), context));
        Assert.False(Matches(Selector, Requests.Pod(Pod, ns: "dev"), context));
        Assert.False(Matches("{namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}}", Requests.Pod(Pod, ns: "unknown"), context));
        Assert.True(Matches("{namespaceSelector: {matchExpressions: [{key: env, operator: DoesNotExist}]}}", Requests.Pod(Pod, ns: "unknown"), context));

        // Every namespace has kubernetes.io/metadata.name, even one we have no object for.
        Assert.True(Matches("{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: unknown}}}", Requests.Pod(Pod, ns: "unknown"), context));

        // A Namespace is judged by its own labels; other cluster-scoped objects are never excluded by a selector.
        var ns = Requests.Of(string.Empty, "v1", "Namespace", "namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x","labels":{"tier":"web"}}}""", ns: null) with { Name = "x" };
        var node = Requests.Of(string.Empty, "v1", "Node", "nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}}""", ns: null);
        Assert.True(Matches("{namespaceSelector: {matchLabels: {tier: web}}}", ns));
        Assert.False(Matches("{namespaceSelector: {matchLabels: {tier: db}}}", ns));
        Assert.True(Matches("{namespaceSelector: {matchLabels: {tier: db}}}", node));
    }

    [Fact]
    public void Users_and_groups_select_who_the_guardrail_applies_to()
    {
        Assert.True(Matches("{users: [alice]}", Requests.Pod(Pod, user: "alice")));
        Assert.False(Matches("{users: [alice]}", Requests.Pod(Pod, user: "bob")));
        Assert.True(Matches("{users: [bob], groups: [devs]}", Requests.Pod(Pod, user: "alice", groups: ["devs"])));
        Assert.True(Matches("{users: ['system:serviceaccount:ci:*']}", Requests.Pod(Pod, user: "system:serviceaccount:ci:builder")));
        Assert.False(Matches("{users: ['system:serviceaccount:ci:*']}", Requests.Pod(Pod, user: "system:serviceaccount:prod:builder")));
    }

    [Fact]
    public void Subresource_requests_match_only_when_named()
    {
        var ephemeral = Requests.Pod(Pod) with { SubResource = "ephemeralcontainers", Operation = AdmissionOperation.Update };

        Assert.False(Matches("{kinds: [Pod]}", ephemeral));
        Assert.True(Matches("{kinds: [Pod], subresources: [ephemeralcontainers]}", ephemeral));
    }

    [Fact]
    public void A_guardrail_that_does_not_match_produces_no_findings()
    {
        var set = Requests.Guardrails(Requests.Guardrail("g", """
              match: {kinds: [Deployment]}
              validations: [{expression: "false"}]
            """));
        var result = new AdmissionCheckResult();

        set.Guardrails[0].Validate(Requests.Pod(Pod), Requests.Namespaces(), result);

        Assert.Empty(result.Findings);
    }
}
