namespace Auditrail.Core.Tests.Redaction;

public sealed partial class EventRedactorTests
{
    private const string Fake = "c3VwZXJzZWNyZXQ=";

    [Fact]
    public void Secret_create_loses_data_and_stringData_values_but_keeps_keys()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("create",
            request: """{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db-credentials"},"data":{"password":"c3VwZXJzZWNyZXQ=","user":"YWRtaW4="},"stringData":{"config.yaml":"plain: secret"},"type":"Opaque"}""",
            response: """{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db-credentials"},"data":{"password":"c3VwZXJzZWNyZXQ="},"type":"Opaque"}"""));

        Assert.Equal("[REDACTED]", redacted.At("requestObject/data/password"));
        Assert.Equal("[REDACTED]", redacted.At("requestObject/data/user"));
        Assert.Equal("[REDACTED]", redacted.At("requestObject/stringData/config.yaml"));
        Assert.Equal("[REDACTED]", redacted.At("responseObject/data/password"));
        Assert.Equal("Opaque", redacted.At("requestObject/type"));
        Assert.Equal(
            ["requestObject.data[password]", "requestObject.data[user]", "requestObject.stringData[config.yaml]", "responseObject.data[password]"],
            redacted.Result.Paths);
        Assert.DoesNotContain(Fake, redacted.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"data":{"k":"c3VwZXJzZWNyZXQ="},"kind":"Secret","apiVersion":"v1"}""")]
    [InlineData("""{"apiVersion":"v1","data":{"k":"c3VwZXJzZWNyZXQ="},"metadata":{},"kind":"Secret"}""")]
    [InlineData("""{"kind":"Secret","data":{"k":"c3VwZXJzZWNyZXQ="}}""")]
    [InlineData("""{"stringData":{"k":"c3VwZXJzZWNyZXQ="},"type":"Opaque","kind":"Secret"}""")]
    public void Secret_is_recognised_by_kind_wherever_kind_appears(string body)
    {
        // The objectRef says "bundles", so only the body's own kind can make it a Secret.
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"bundles","apiGroup":"fleet.example.io"}""", request: body));

        Assert.Equal(1, redacted.Result.Count);
        Assert.DoesNotContain(Fake, redacted.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Last_applied_configuration_of_a_Secret_is_replaced()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("create", request: """
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"api-key","annotations":{
              "kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"data\":{\"k\":\"c3VwZXJzZWNyZXQ=\"},\"kind\":\"Secret\"}\n",
              "team":"payments"}},
             "data":{"k":"c3VwZXJzZWNyZXQ="}}
            """));

        Assert.Equal("[REDACTED]", redacted.At("requestObject/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"));
        Assert.Equal("payments", redacted.At("requestObject/metadata/annotations/team"));
        Assert.Contains("requestObject.metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]", redacted.Result.Paths);
        Assert.DoesNotContain(Fake, redacted.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void List_response_items_without_kind_are_redacted_for_the_secrets_resource()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("list", """{"resource":"secrets","namespace":"payments","apiVersion":"v1"}""",
            response: """
            {"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[
              {"metadata":{"name":"a"},"data":{"token":"c3VwZXJzZWNyZXQ=","ca.crt":"Y2E="},"type":"kubernetes.io/service-account-token"},
              {"metadata":{"name":"b"},"type":"Opaque"}]}
            """));

        Assert.Equal(["responseObject.items[0].data[token]", "responseObject.items[0].data[ca.crt]"], redacted.Result.Paths);
        Assert.Equal("kubernetes.io/service-account-token", redacted.At("responseObject/items/0/type"));
    }

    [Fact]
    public void SecretList_items_are_redacted_even_when_the_objectRef_does_not_say_secrets()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("get", """{"resource":"snapshots","apiGroup":"backup.example.io"}""",
            response: """{"snapshot":{"kind":"SecretList","items":[{"metadata":{"name":"a"},"data":{"k":"c3VwZXJzZWNyZXQ="}}]}}"""));

        Assert.Equal(["responseObject.snapshot.items[0].data[k]"], redacted.Result.Paths);
    }

    [Fact]
    public void Secrets_inside_a_List_are_redacted_and_ConfigMaps_beside_them_are_not()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"bundles","apiGroup":"fleet.example.io","apiVersion":"v1"}""",
            request: """
            {"apiVersion":"fleet.example.io/v1","kind":"Bundle","spec":{"resources":{"kind":"List","apiVersion":"v1","items":[
              {"kind":"ConfigMap","metadata":{"name":"settings"},"data":{"password":"visible-by-design"}},
              {"metadata":{"name":"smtp"},"stringData":{"password":"c3VwZXJzZWNyZXQ="},"kind":"Secret"}]}}}
            """));

        Assert.Equal(["requestObject.spec.resources.items[1].stringData[password]"], redacted.Result.Paths);
        Assert.Equal("visible-by-design", redacted.At("requestObject/spec/resources/items/0/data/password"));
    }

    [Fact]
    public void Table_rows_carrying_Secret_objects_are_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("list", """{"resource":"secrets","namespace":"payments","apiVersion":"v1"}""",
            response: """
            {"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string"}],"rows":[
              {"cells":["a"],"object":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"a"},"data":{"k":"c3VwZXJzZWNyZXQ="}}},
              {"cells":["b"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"b"}}}]}
            """));

        Assert.Equal(["responseObject.rows[0].object.data[k]"], redacted.Result.Paths);
        Assert.Equal("a", redacted.Node("responseObject/rows/0/cells/0")!.GetValue<string>());
    }

    [Fact]
    public void Watch_event_objects_of_kind_Secret_are_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("watch", """{"resource":"events","apiVersion":"v1"}""",
            response: """{"type":"MODIFIED","object":{"data":{"k":"c3VwZXJzZWNyZXQ="},"kind":"Secret","apiVersion":"v1"}}"""));

        Assert.Equal(["responseObject.object.data[k]"], redacted.Result.Paths);
        Assert.Equal("MODIFIED", redacted.At("responseObject/type"));
    }

    [Fact]
    public void Last_applied_configuration_embedding_a_Secret_is_replaced_on_any_object()
    {
        const string embedded = """{\"kind\":\"Bundle\",\"spec\":{\"secret\":{\"kind\":\"Secret\",\"data\":{\"k\":\"c3VwZXJzZWNyZXQ=\"}}}}""";
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"bundles","apiGroup":"fleet.example.io"}""",
            request: """{"kind":"Bundle","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"EMBEDDED"}},"spec":{"secret":{"kind":"Secret","data":{"k":"c3VwZXJzZWNyZXQ="}}}}"""
                .Replace("EMBEDDED", embedded, StringComparison.Ordinal)));

        Assert.Equal(
            ["requestObject.metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]", "requestObject.spec.secret.data[k]"],
            redacted.Result.Paths);
    }

    [Fact]
    public void Last_applied_configuration_of_an_ordinary_object_is_kept()
    {
        const string embedded = """{\"kind\":\"Deployment\",\"spec\":{\"replicas\":2}}""";
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"deployments","apiGroup":"apps"}""",
            request: $$$"""{"kind":"Deployment","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{{{embedded}}}"},"name":"secret-rotator"},"spec":{"replicas":2}}"""));

        Assert.Equal(0, redacted.Result.Count);
    }

    [Fact]
    public void Null_and_deleted_keys_stay_visible()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch", request: """{"data":{"old":null,"new":"c3VwZXJzZWNyZXQ="},"stringData":null}"""));

        Assert.Equal(["requestObject.data[new]"], redacted.Result.Paths);
        Assert.Null(redacted.Node("requestObject/data/old"));
        Assert.True(redacted.Json["requestObject"]!.AsObject().ContainsKey("stringData"));
    }

    [Fact]
    public void Data_that_is_not_a_map_is_replaced_whole()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("create", request: """{"kind":"Secret","data":"c3VwZXJzZWNyZXQ=","stringData":["c3VwZXJzZWNyZXQ="]}"""));

        Assert.Equal(["requestObject.data", "requestObject.stringData"], redacted.Result.Paths);
    }

    [Theory]
    [InlineData("""{"kind":"secret","data":{"k":"c3VwZXJzZWNyZXQ="}}""")]
    [InlineData("""{"kind":"SECRET","Data":{"k":"c3VwZXJzZWNyZXQ="}}""")]
    [InlineData("""{"Kind":"Secret","StringData":{"k":"c3VwZXJzZWNyZXQ="}}""")]
    [InlineData("""{"kind":"\u0053ecret","d\u0061ta":{"k":"c3VwZXJzZWNyZXQ="}}""")]
    public void Case_and_escapes_do_not_hide_a_Secret(string body)
    {
        // Kubernetes decodes case-sensitively, but other tools do not; erring towards redaction costs nothing here.
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"bundles","apiGroup":"fleet.example.io"}""", request: body));

        Assert.Equal(1, redacted.Result.Count);
    }

    [Fact]
    public void Secrets_of_another_api_group_without_a_Secret_kind_are_not_treated_as_core_Secrets()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"secrets","apiGroup":"vault.example.io","apiVersion":"v1"}""",
            request: """{"kind":"VaultSecret","data":{"path":"kv/app"}}"""));

        Assert.Equal(0, redacted.Result.Count);
    }

    [Fact]
    public void A_text_body_of_a_secrets_request_is_replaced_whole()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch", request: "\"data:\\n  password: c3VwZXJzZWNyZXQ=\\n\""));

        Assert.Equal(["requestObject"], redacted.Result.Paths);
    }

    [Fact]
    public void ConfigMaps_are_not_Secrets()
    {
        var auditEvent = AuditEvents.Build("create", """{"resource":"configmaps","namespace":"payments","apiVersion":"v1"}""",
            request: """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"settings"},"data":{"access.properties":"aws_secret_access_key = MY-KEY\n","token":"not-a-token-kind"}}""");

        var redacted = RedactionAssert.Redact(auditEvent);

        Assert.Equal(0, redacted.Result.Count);
        Assert.Equal(auditEvent, redacted.Text);
    }
}
