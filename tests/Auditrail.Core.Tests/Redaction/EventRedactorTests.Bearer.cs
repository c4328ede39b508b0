using Auditrail.Core.Redaction;

namespace Auditrail.Core.Tests.Redaction;

public sealed partial class EventRedactorTests
{
    [Theory]
    [InlineData("Authorization: Bearer abc.def-ghi_jkl", "Authorization: Bearer [REDACTED]")]
    [InlineData("authorization: bearer abc", "authorization: bearer [REDACTED]")]
    [InlineData("BEARER\tabc==, next", "BEARER\t[REDACTED], next")]
    [InlineData("\"Bearer abc\" and 'bearer  def'", "\"Bearer [REDACTED]\" and 'bearer  [REDACTED]'")]
    [InlineData("?authorization=Bearer%20abc&x=1", "?authorization=Bearer%20[REDACTED]&x=1")]
    [InlineData("Bearer [REDACTED]", "Bearer [REDACTED]")]
    [InlineData("Bearer", "Bearer")]
    [InlineData("Bearer:abc", "Bearer:abc")]
    [InlineData("the standardbearer rode on", "the standardbearer rode on")]
    [InlineData("", "")]
    public void RedactBearerTokens_replaces_the_credential_and_keeps_the_text(string text, string expected)
    {
        Assert.Equal(expected, EventRedactor.RedactBearerTokens(text));
    }

    [Fact]
    public void RedactBearerTokens_returns_the_same_instance_when_there_is_nothing_to_redact()
    {
        const string text = "no credentials here";

        Assert.Same(text, EventRedactor.RedactBearerTokens(text));
    }

    [Fact]
    public void Bearer_tokens_in_annotations_and_messages_are_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("get", """{"resource":"services","subresource":"proxy","apiVersion":"v1"}""",
            extra: """
            {"annotations":{"authorization.k8s.io/decision":"allow","webhook.example.com/headers":"Authorization: Bearer ZmFrZS0x; X-Id: 7"},
             "responseStatus":{"code":401,"message":"upstream said no to bearer ZmFrZS0y"}}
            """));

        Assert.Equal(["responseStatus.message", "annotations[webhook.example.com/headers]"], redacted.Result.Paths);
        Assert.Equal("Authorization: Bearer [REDACTED]; X-Id: 7", redacted.At("annotations/webhook.example.com~1headers"));
        Assert.Equal("upstream said no to bearer [REDACTED]", redacted.At("responseStatus/message"));
    }

    [Fact]
    public void Bearer_tokens_in_object_annotations_are_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"deployments","apiGroup":"apps"}""",
            request: """{"kind":"Deployment","metadata":{"annotations":{"debug/curl":"curl -H 'Authorization: Bearer ZmFrZS0z' https://api"}}}"""));

        Assert.Equal(["requestObject.metadata.annotations[debug/curl]"], redacted.Result.Paths);
        Assert.Equal("curl -H 'Authorization: Bearer [REDACTED]' https://api", redacted.At("requestObject/metadata/annotations/debug~1curl"));
    }

    [Theory]
    [InlineData("/api/v1/namespaces/m/services/grafana:3000/proxy/login?access_token=ZmFrZQ&orgId=1",
        "/api/v1/namespaces/m/services/grafana:3000/proxy/login?access_token=[REDACTED]&orgId=1")]
    [InlineData("/x/proxy?token=abc", "/x/proxy?token=[REDACTED]")]
    [InlineData("/x/proxy?orgId=1&ID_TOKEN=abc&client_secret=def&password=ghi#frag",
        "/x/proxy?orgId=1&ID_TOKEN=[REDACTED]&client_secret=[REDACTED]&password=[REDACTED]#frag")]
    [InlineData("/x/proxy?acc%65ss_t%6Fken=abc", "/x/proxy?acc%65ss_t%6Fken=[REDACTED]")]
    [InlineData("/x/proxy?token=", "/x/proxy?token=")]
    [InlineData("/api/v1/namespaces/default/pods?labelSelector=app%3Dtoken&limit=500", "/api/v1/namespaces/default/pods?labelSelector=app%3Dtoken&limit=500")]
    [InlineData("/api/v1/namespaces/p/serviceaccounts/token-reader/token", "/api/v1/namespaces/p/serviceaccounts/token-reader/token")]
    public void Credential_query_parameters_of_requestURI_are_redacted(string requestUri, string expected)
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("get", """{"resource":"services","apiVersion":"v1"}""",
            extra: $$"""{"requestURI":"{{requestUri}}"}"""));

        Assert.Equal(expected, redacted.At("requestURI"));
        Assert.All(redacted.Result.Paths, path => Assert.Equal("requestURI", path));
    }
}
