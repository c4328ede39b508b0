namespace Auditrail.Core.Tests.Redaction;

public sealed partial class EventRedactorTests
{
    private const string FakeJwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU";

    [Fact]
    public void TokenRequest_status_token_is_redacted()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create",
            """{"resource":"serviceaccounts","subresource":"token","namespace":"payments","name":"deployer","apiVersion":"v1"}""",
            request: """{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{"audiences":["api"],"expirationSeconds":3600},"status":{"token":""}}""",
            response: """{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{"audiences":["api"]},"status":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU","expirationTimestamp":"2025-03-01T11:00:00Z"}}"""));

        Assert.Equal(["requestObject.status.token", "responseObject.status.token"], redacted.Result.Paths);
        Assert.Equal("2025-03-01T11:00:00Z", redacted.At("responseObject/status/expirationTimestamp"));
        Assert.DoesNotContain(FakeJwt, redacted.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenRequest_body_without_kind_is_redacted_by_its_subresource()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create",
            """{"resource":"serviceaccounts","subresource":"token","namespace":"payments","name":"deployer","apiVersion":"v1"}""",
            response: """{"status":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU"}}"""));

        Assert.Equal(["responseObject.status.token"], redacted.Result.Paths);
    }

    [Fact]
    public void TokenReview_spec_token_is_redacted_and_the_verdict_kept()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create",
            """{"resource":"tokenreviews","apiGroup":"authentication.k8s.io","apiVersion":"v1"}""",
            request: """{"spec":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU"},"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1"}""",
            response: """{"kind":"TokenReview","spec":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU"},"status":{"authenticated":true,"user":{"username":"system:serviceaccount:payments:deployer"}}}"""));

        Assert.Equal(["requestObject.spec.token", "responseObject.spec.token"], redacted.Result.Paths);
        Assert.DoesNotContain(FakeJwt, redacted.Text, StringComparison.Ordinal);
        Assert.Equal("system:serviceaccount:payments:deployer", redacted.At("responseObject/status/user/username"));
    }

    [Fact]
    public void TokenReview_embedded_elsewhere_is_recognised_by_kind()
    {
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"reviews","apiGroup":"audit.example.io"}""",
            request: """{"kind":"Review","spec":{"review":{"kind":"TokenReview","spec":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU"}}}}"""));

        Assert.Equal(["requestObject.spec.review.spec.token"], redacted.Result.Paths);
    }

    [Fact]
    public void Token_fields_of_ordinary_objects_are_kept()
    {
        // Only TokenRequest/TokenReview define a token field; elsewhere "token" is a name, not a credential.
        var redacted = RedactionAssert.Redact(AuditEvents.Build("create", """{"resource":"pods","namespace":"payments","apiVersion":"v1"}""",
            request: """{"kind":"Pod","spec":{"volumes":[{"name":"default-token-abcde","secret":{"secretName":"default-token-abcde"}},{"name":"kube-api-access","projected":{"sources":[{"serviceAccountToken":{"path":"token","expirationSeconds":3607}}]}}]}}"""));

        Assert.Equal(0, redacted.Result.Count);
    }
}
