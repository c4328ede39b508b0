namespace Auditrail.Core.Tests.Redaction;

public sealed partial class EventRedactorTests
{
    [Fact]
    public void Merge_patch_of_a_Secret_without_kind_is_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch", request: """{"stringData":{"password":"c3VwZXJzZWNyZXQ="}}"""));

        Assert.Equal(["requestObject.stringData[password]"], redacted.Result.Paths);
    }

    [Fact]
    public void Client_side_apply_patch_loses_data_and_the_last_applied_annotation()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch", request: """
            {"data":{"k":"c3VwZXJzZWNyZXQ="},"metadata":{"annotations":{
              "kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"data\":{\"k\":\"c3VwZXJzZWNyZXQ=\"},\"kind\":\"Secret\"}\n"}}}
            """));

        Assert.Equal(
            ["requestObject.data[k]", "requestObject.metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]"],
            redacted.Result.Paths);
        Assert.DoesNotContain(Fake, redacted.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_side_apply_body_is_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch",
            request: """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db-credentials"},"stringData":{"password":"c3VwZXJzZWNyZXQ="}}"""));

        Assert.Equal(["requestObject.stringData[password]"], redacted.Result.Paths);
    }

    [Fact]
    public void Json_patch_values_aimed_at_secret_fields_are_redacted_and_others_kept()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch", request: """
            [{"op":"test","path":"/data/password","value":"c3VwZXJzZWNyZXQ="},
             {"op":"add","path":"/data","value":{"a":"c3VwZXJzZWNyZXQ=","b":"c3VwZXJzZWNyZXQ="}},
             {"op":"replace","path":"/stringData/c","value":"c3VwZXJzZWNyZXQ="},
             {"value":"c3VwZXJzZWNyZXQ=","path":"/data/d","op":"add"},
             {"op":"add","path":"/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration","value":"{}"},
             {"op":"add","path":"/metadata/labels/rotated-by","value":"ops-bot"},
             {"op":"copy","from":"/data/a","path":"/data/e"},
             {"op":"remove","path":"/data/f"}]
            """));

        Assert.Equal(
            ["requestObject[0].value", "requestObject[1].value[a]", "requestObject[1].value[b]", "requestObject[2].value",
             "requestObject[3].value", "requestObject[4].value"],
            redacted.Result.Paths);
        Assert.Equal("ops-bot", redacted.At("requestObject/5/value"));
        Assert.Equal("/data/e", redacted.At("requestObject/6/path"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    public void Json_patch_replacing_the_whole_Secret_redacts_inside_the_value(string path)
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Secrets("patch", request: """
            [{"op":"replace","path":"PATH","value":{"metadata":{"name":"db-credentials"},"data":{"k":"c3VwZXJzZWNyZXQ="}}},
             {"op":"replace","path":"PATH","value":"c3VwZXJzZWNyZXQ="}]
            """
                .Replace("PATH", path, StringComparison.Ordinal)));

        Assert.Equal(["requestObject[0].value.data[k]", "requestObject[1].value"], redacted.Result.Paths);
        Assert.Equal("db-credentials", redacted.At("requestObject/0/value/metadata/name"));
    }

    [Fact]
    public void Json_patch_on_other_resources_is_left_alone()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("patch", """{"resource":"configmaps","apiVersion":"v1"}""",
            request: """[{"op":"add","path":"/data/password","value":"visible-by-design"}]"""));

        Assert.Equal(0, redacted.Result.Count);
    }
}
