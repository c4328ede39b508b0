using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;

namespace Auditrail.Admission.Tests.Manifests;

/// <summary>Reading the objects to check: multi-document YAML, JSON, Lists; bad documents placed and skipped.</summary>
public sealed class ManifestReaderTests
{
    [Fact]
    public void Multi_document_yaml_gives_each_object_its_document_index_and_line()
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var manifests = ManifestReader.ReadText("""
            # leading comment
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: n}
            ---
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: b
            spec:
              replicas: 3
              paused: false
              note: "3"
            """, "m.yaml", diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal([("Pod", "a", "n", 0, 2), ("Deployment", "b", null, 1, 7)], manifests.Select(m => (m.Kind, m.Name!, m.Namespace, m.DocumentIndex, m.Line)));
        var spec = manifests[1].Object.GetProperty("spec");
        Assert.Equal(3, spec.GetProperty("replicas").GetInt32());
        Assert.False(spec.GetProperty("paused").GetBoolean());
        Assert.Equal("3", spec.GetProperty("note").GetString());
    }

    [Fact]
    public void Lists_are_expanded_item_by_item()
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var manifests = ManifestReader.ReadText("""
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: one}
              - kind: NotAnObject
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: two}
            """, "list.yaml", diagnostics);

        Assert.Equal(["one", "two"], manifests.Select(m => m.Name));
        Assert.Equal([4, 8], manifests.Select(m => m.Line));
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((AdmissionCodes.NotAnObject, 7), (diagnostic.Code, diagnostic.Line));
    }

    [Fact]
    public void JSON_is_read_as_well()
    {
        var manifests = ManifestReader.ReadText("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},"spec":{"priority":-1}}""", "p.json", []);

        Assert.Equal(-1, Assert.Single(manifests).Object.GetProperty("spec").GetProperty("priority").GetInt32());
    }

    [Fact]
    public void A_broken_document_is_reported_with_its_line_and_the_others_are_read()
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var manifests = ManifestReader.ReadText("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: before}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: broken
               bad: indentation
            ---
            - just
            - a list
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: after}
            """, "m.yaml", diagnostics);

        Assert.Equal(["before", "after"], manifests.Select(m => m.Name));
        Assert.Equal(2, diagnostics.Count);
        Assert.Equal((AdmissionCodes.ManifestSyntax, 9), (diagnostics[0].Code, diagnostics[0].Line));
        Assert.Equal((AdmissionCodes.NotAnObject, 11), (diagnostics[1].Code, diagnostics[1].Line));
    }

    [Theory]
    [InlineData("Pod", "pods", false)]
    [InlineData("Ingress", "ingresses", false)]
    [InlineData("NetworkPolicy", "networkpolicies", false)]
    [InlineData("Endpoints", "endpoints", false)]
    [InlineData("Namespace", "namespaces", true)]
    [InlineData("StorageClass", "storageclasses", true)]
    [InlineData("Gateway", "gateways", false)]
    [InlineData("Mailbox", "mailboxes", false)]
    public void Kinds_map_to_resources_and_scope(string kind, string resource, bool clusterScoped)
    {
        Assert.Equal(resource, KindResources.Resource(kind));
        Assert.Equal(clusterScoped, KindResources.IsClusterScoped(kind));
    }

    [Fact]
    public void A_manifest_becomes_a_create_in_its_namespace_or_default()
    {
        var manifests = ManifestReader.ReadText("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: n, namespace: ignored}
            """, "m.yaml", []);

        var deployment = ManifestRequests.Create(manifests[0]);
        var ns = ManifestRequests.Create(manifests[1]);

        Assert.Equal(("apps", "v1", "Deployment", "deployments", "default"), (deployment.Kind.Group, deployment.Kind.Version, deployment.Kind.Kind, deployment.Resource.Resource, deployment.Namespace));
        Assert.Null(ns.Namespace);
        Assert.Equal(Review.AdmissionOperation.Create, deployment.Operation);
    }
}
