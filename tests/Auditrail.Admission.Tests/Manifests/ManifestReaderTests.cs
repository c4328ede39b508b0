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
            metadata: {name: a, namespace: ns1}
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
        Assert.Equal([("Pod", "a", "ns1", 0, 2), ("Deployment", "b", null, 1, 7)], manifests.Select(m => (m.Kind, m.Name!, m.Namespace, m.DocumentIndex, m.Line)));
        var spec = manifests[1].Object.GetProperty("spec");
        Assert.Equal(3, spec.GetProperty("replicas").GetInt32());
        Assert.False(spec.GetProperty("paused").GetBoolean());
        Assert.Equal("3", spec.GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("yes", "true")]
    [InlineData("Off", "false")]
    [InlineData("n", "false")]
    [InlineData("'yes'", "\"yes\"")]
    [InlineData("~", "null")]
    [InlineData("", "null")]
    [InlineData("1_000", "1000")]
    [InlineData("0x1F", "31")]
    [InlineData("0b101", "5")]
    [InlineData("0755", "493")]
    [InlineData("-12", "-12")]
    [InlineData("1.5e3", "1500")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("500m", "\"500m\"")]
    [InlineData("\"1\"", "\"1\"")]
    [InlineData("1.0", "1")]
    public void Plain_scalars_resolve_as_kubectl_reads_them(string yaml, string json)
    {
        var manifest = Assert.Single(ManifestReader.ReadText($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\nvalue: {yaml}\n", "m.yaml", []));

        var value = manifest.Object.GetProperty("value");
        Assert.Equal(json, value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture) : value.GetRawText());
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
