using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Review;
using Auditrail.Server.Admission;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Admission;

public sealed class AdmissionEndpointTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartAsync(new TeamLabelReviewer(), new AdmissionEndpointOptions
        {
            Limits = new AdmissionReviewReadOptions { MaxBytes = 256 * 1024, MaxDepth = 32 },
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Validate_allows_a_pod_with_a_team_label()
    {
        var (status, body) = await _server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam, uid: "uid-allowed"))));
        Assert.Equal(200, status);
        Assert.Equal("admission.k8s.io/v1", body.GetProperty("apiVersion").GetString());
        var response = body.GetProperty("response");
        Assert.Equal("uid-allowed", response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.False(response.TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task Validate_denies_a_pod_without_labels_with_403_message_warning_and_annotation()
    {
        var (status, body) = await _server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithoutLabels, uid: "uid-denied"))));
        Assert.Equal(200, status);
        var response = body.GetProperty("response");
        Assert.Equal("uid-denied", response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Equal("pod debug has no team label", response.GetProperty("status").GetProperty("message").GetString());
        Assert.Equal("container shell uses the latest tag", response.GetProperty("warnings")[0].GetString());
        Assert.Equal("team-label", response.GetProperty("auditAnnotations").GetProperty("denied-by").GetString());
        Assert.Equal(1, _server.Admission.Counters.Snapshot().Denied);
    }

    [Theory]
    [InlineData(Reviews.PodWithoutLabels)]
    [InlineData(Reviews.PodWithTeam)]
    public async Task Mutate_returns_a_json_patch_that_applies_to_the_object(string pod)
    {
        var request = Reviews.PodCreate(pod);
        var (status, body) = await _server.PostAsync("/mutate", Reviews.Json(Reviews.Encode(request)));
        Assert.Equal(200, status);
        var response = body.GetProperty("response");
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.Equal("JSONPatch", response.GetProperty("patchType").GetString());
        var patch = JsonNode.Parse(Convert.FromBase64String(response.GetProperty("patch").GetString()!))!.AsArray();

        var original = JsonNode.Parse(pod)!;
        var patched = JsonPatch.Apply(original.DeepClone(), patch)!;
        Assert.Equal("true", (string?)patched["metadata"]!["labels"]![TeamLabelReviewer.ReviewedLabel]);
        // Nothing else changed: removing the stamp gives back the original.
        patched["metadata"]!["labels"]!.AsObject().Remove(TeamLabelReviewer.ReviewedLabel);
        if (original["metadata"]!["labels"] is null)
        {
            patched["metadata"]!.AsObject().Remove("labels");
        }

        Assert.True(JsonNode.DeepEquals(original, patched));
    }

    [Fact]
    public async Task V1beta1_review_is_answered_in_v1beta1()
    {
        var (status, body) = await _server.PostAsync("/validate",
            Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithoutLabels, uid: "beta"), AdmissionReviewVersion.V1Beta1)));
        Assert.Equal(200, status);
        Assert.Equal("admission.k8s.io/v1beta1", body.GetProperty("apiVersion").GetString());
        Assert.Equal("AdmissionReview", body.GetProperty("kind").GetString());
        Assert.Equal("beta", body.GetProperty("response").GetProperty("uid").GetString());
        Assert.False(body.GetProperty("response").GetProperty("allowed").GetBoolean());
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "garbage", "\u0000\u0001 not json at all" },
        { "truncated", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":{"metadata":{"na""" },
        { "wrong kind", """{"apiVersion":"admission.k8s.io/v1","kind":"TokenReview","request":{"uid":"x"}}""" },
        { "wrong apiVersion", """{"apiVersion":"v1","kind":"AdmissionReview","request":{"uid":"x"}}""" },
        { "missing uid", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""" },
        { "deep nesting", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":""" + new string('[', 5000) + new string(']', 5000) + "}}" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_review_gets_400_with_a_status_naming_the_problem_and_the_server_keeps_serving(string name, string body)
    {
        var (status, error) = await _server.PostAsync("/validate", Reviews.Json(body));
        Assert.Equal(400, status);
        Assert.Equal("Status", error.GetProperty("kind").GetString());
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        var field = error.GetProperty("details").GetProperty("causes")[0].GetProperty("field").GetString()!;
        Assert.StartsWith("$", field, StringComparison.Ordinal);
        Assert.StartsWith(field + ": ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(name));

        var (next, review) = await _server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam))));
        Assert.Equal(200, next);
        Assert.True(review.GetProperty("response").GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Deep_nesting_names_where_the_limit_is_crossed()
    {
        var body = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":""" + new string('[', 100) + new string(']', 100) + "}}";
        var (_, error) = await _server.PostAsync("/validate", Reviews.Json(body));
        Assert.Contains("deeper than 32 levels", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("$.request.object[0][0]", error.GetProperty("details").GetProperty("causes")[0].GetProperty("field").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_limit_gets_413_whether_or_not_its_length_is_announced(bool announceLength)
    {
        var padding = new string('x', 300 * 1024);
        var body = Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":{"pad":""" + "\"" + padding + "\"}}}");
        HttpContent content = announceLength ? Reviews.Json(body) : new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _server.Client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("262,144-byte limit", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (next, _) = await _server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam))));
        Assert.Equal(200, next);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/yaml")]
    [InlineData(null)]
    public async Task Body_that_is_not_json_gets_415(string? contentType)
    {
        var content = new ByteArrayContent(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam)));
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using var response = await _server.Client.PostAsync(new Uri("/mutate", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Json_with_a_charset_parameter_is_accepted()
    {
        var content = new ByteArrayContent(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam)));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        var (status, _) = await _server.PostAsync("/validate", content);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Get_on_a_review_endpoint_is_405()
    {
        using var response = await _server.Client.GetAsync(new Uri("/validate", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Counters_tell_reviews_rejections_and_patches_apart()
    {
        await _server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam))));
        await _server.PostAsync("/mutate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam))));
        await _server.PostAsync("/validate", Reviews.Json("{"));
        var counters = _server.Admission.Counters.Snapshot();
        Assert.Equal((1, 1, 2, 0, 1, 1), (counters.Validated, counters.Mutated, counters.Allowed, counters.Denied, counters.Patched, counters.RejectedRequests));
    }

    /// <summary>A body without Content-Length: the server must find the size while reading.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
