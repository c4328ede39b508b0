using System.Text;
using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Codec;

public sealed class AdmissionReviewDecodeTests
{
    /// <summary>A v1 review as kube-apiserver sends it for an UPDATE through a converted version (every field set).</summary>
    private const string UpdateReview = """
        {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
          "kind":{"group":"apps","version":"v1","kind":"Deployment"},
          "resource":{"group":"apps","version":"v1","resource":"deployments"},
          "subResource":"scale",
          "requestKind":{"group":"apps","version":"v1beta1","kind":"Deployment"},
          "requestResource":{"group":"apps","version":"v1beta1","resource":"deployments"},
          "requestSubResource":"scale",
          "name":"web","namespace":"shop","operation":"UPDATE",
          "userInfo":{"username":"admin","uid":"014fbff9a07c","groups":["system:authenticated","my-admin-group"],"extra":{"some-key":["some-value1","some-value2"]}},
          "object":{"apiVersion":"autoscaling/v1","kind":"Scale","spec":{"replicas":3}},
          "oldObject":{"apiVersion":"autoscaling/v1","kind":"Scale","spec":{"replicas":1}},
          "options":{"apiVersion":"meta.k8s.io/v1","kind":"UpdateOptions"},
          "dryRun":true,
          "someFieldOfANewerApiserver":{"ignored":true}}}
        """;

    [Fact]
    public void V1_review_decodes_every_request_field()
    {
        using var review = AdmissionReviewJson.Decode(Encoding.UTF8.GetBytes(UpdateReview));
        var request = review.Request;
        Assert.Equal(AdmissionReviewVersion.V1, review.Version);
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", request.Uid);
        Assert.Equal(new GroupVersionKind("apps", "v1", "Deployment"), request.Kind);
        Assert.Equal(new GroupVersionResource("apps", "v1", "deployments"), request.Resource);
        Assert.Equal("scale", request.SubResource);
        Assert.Equal(new GroupVersionKind("apps", "v1beta1", "Deployment"), review.RequestKind);
        Assert.Equal(new GroupVersionResource("apps", "v1beta1", "deployments"), review.RequestResource);
        Assert.Equal("scale", review.RequestSubResource);
        Assert.Equal(("web", "shop"), (request.Name, request.Namespace));
        Assert.Equal(AdmissionOperation.Update, request.Operation);
        Assert.Equal("admin", request.UserInfo.Username);
        Assert.Equal("014fbff9a07c", request.UserInfo.Uid);
        Assert.Equal(["system:authenticated", "my-admin-group"], request.UserInfo.Groups);
        Assert.Equal(["some-value1", "some-value2"], request.UserInfo.Extra!["some-key"]);
        Assert.Equal(3, request.Object!.Value.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal(1, request.OldObject!.Value.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal("UpdateOptions", request.Options!.Value.GetProperty("kind").GetString());
        Assert.True(request.DryRun);
    }

    [Fact]
    public void V1beta1_review_is_accepted_and_remembered()
    {
        var text = UpdateReview.Replace("admission.k8s.io/v1\"", "admission.k8s.io/v1beta1\"", StringComparison.Ordinal);
        using var review = AdmissionReviewJson.Decode(Encoding.UTF8.GetBytes(text));
        Assert.Equal(AdmissionReviewVersion.V1Beta1, review.Version);
        Assert.Equal("web", review.Request.Name);
    }

    [Fact]
    public void Cluster_scoped_delete_has_no_object_and_null_fields_read_as_absent()
    {
        const string text = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"d1",
             "kind":{"group":"","version":"v1","kind":"Namespace"},"resource":{"group":"","version":"v1","resource":"namespaces"},
             "name":"old","namespace":"","operation":"DELETE","userInfo":{"username":"bob","groups":null},
             "object":null,"oldObject":{"metadata":{"name":"old"}},"dryRun":false}}
            """;
        using var review = AdmissionReviewJson.Decode(Encoding.UTF8.GetBytes(text));
        Assert.Null(review.Request.Object);
        Assert.NotNull(review.Request.OldObject);
        Assert.Null(review.Request.Namespace);
        Assert.Empty(review.Request.UserInfo.Groups);
        Assert.Equal(AdmissionOperation.Delete, review.Request.Operation);
    }

    [Theory]
    [InlineData(AdmissionReviewVersion.V1)]
    [InlineData(AdmissionReviewVersion.V1Beta1)]
    public void A_written_request_decodes_back_to_an_equal_request(AdmissionReviewVersion version)
    {
        var original = Reviews.PodCreate(Reviews.PodWithTeam);
        using var review = AdmissionReviewJson.Decode(Reviews.Encode(original, version));
        var decoded = review.Request;
        Assert.Equal(version, review.Version);
        Assert.Equal((original.Uid, original.Kind, original.Resource, original.Name, original.Namespace, original.Operation, original.DryRun),
            (decoded.Uid, decoded.Kind, decoded.Resource, decoded.Name, decoded.Namespace, decoded.Operation, decoded.DryRun));
        Assert.Equal(original.UserInfo.Groups, decoded.UserInfo.Groups);
        Assert.True(JsonElement.DeepEquals(original.Object!.Value, decoded.Object!.Value));
        Assert.True(JsonElement.DeepEquals(original.Options!.Value, decoded.Options!.Value));
    }

    public static TheoryData<string, AdmissionReviewProblem, string> BadReviews => new()
    {
        { "", AdmissionReviewProblem.MalformedJson, "$" },
        { "GET / HTTP/1.1 garbage", AdmissionReviewProblem.MalformedJson, "$" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"gro""", AdmissionReviewProblem.MalformedJson, "$.request.kind" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":{"spec":{"containers":[{"name":"a"},{"name":]}}}}""", AdmissionReviewProblem.MalformedJson, "$.request.object.spec.containers[1].name" },
        { """[1,2]""", AdmissionReviewProblem.NotAReview, "$" },
        { """{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{}}""", AdmissionReviewProblem.NotAReview, "$.apiVersion" },
        { """{"apiVersion":"audit.k8s.io/v1","kind":"Event"}""", AdmissionReviewProblem.NotAReview, "$.apiVersion" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{}}""", AdmissionReviewProblem.NotAReview, "$.kind" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", AdmissionReviewProblem.MissingField, "$.request" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"version":"v1","kind":"Pod"}}}""", AdmissionReviewProblem.MissingField, "$.request.uid" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":42}}""", AdmissionReviewProblem.InvalidField, "$.request.uid" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":"Pod"}}""", AdmissionReviewProblem.InvalidField, "$.request.kind" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"version":"v1"}}}""", AdmissionReviewProblem.MissingField, "$.request.kind.kind" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"version":"v1","kind":"Pod"},"resource":{"version":"v1","resource":"pods"},"operation":"PATCH"}}""", AdmissionReviewProblem.InvalidField, "$.request.operation" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"version":"v1","kind":"Pod"},"resource":{"version":"v1","resource":"pods"}}}""", AdmissionReviewProblem.MissingField, "$.request.operation" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","userInfo":{"groups":["a",7]}}}""", AdmissionReviewProblem.InvalidField, "$.request.userInfo.groups[1]" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","dryRun":"yes"}}""", AdmissionReviewProblem.InvalidField, "$.request.dryRun" },
    };

    [Theory]
    [MemberData(nameof(BadReviews))]
    public void Bad_review_is_refused_with_the_problem_and_its_json_path(string body, AdmissionReviewProblem problem, string path)
    {
        var decoded = AdmissionReviewJson.TryDecode(Encoding.UTF8.GetBytes(body), null, out var review, out var error);
        review?.Dispose();
        Assert.False(decoded);
        Assert.Equal(problem, error!.Problem);
        Assert.Equal(path, error.JsonPath);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the body is empty")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"x", "the JSON ends early at byte 55 (truncated body?)")]
    [InlineData("{\"apiVersion\": tru}", "malformed JSON at byte 15")]
    [InlineData("{\"kind\":\"AdmissionReview\"} trailing", "malformed JSON at byte 27")]
    public void Broken_json_says_whether_it_is_empty_truncated_or_malformed_and_where(string body, string expected)
    {
        var error = Assert.Throws<AdmissionReviewFormatException>(() => AdmissionReviewJson.Decode(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(AdmissionReviewProblem.MalformedJson, error.Problem);
        Assert.Contains(expected, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_past_the_limit_is_refused_with_the_path_where_it_crosses()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);
        var body = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":""" + deep + "}}";
        var error = Assert.Throws<AdmissionReviewFormatException>(() => AdmissionReviewJson.Decode(Encoding.UTF8.GetBytes(body), new AdmissionReviewReadOptions { MaxDepth = 20 }));
        Assert.Equal(AdmissionReviewProblem.TooDeep, error.Problem);
        Assert.StartsWith("$.request.object.a.a.a", error.JsonPath, StringComparison.Ordinal);
        Assert.Contains("deeper than 20", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_within_the_limit_decodes()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 50)) + new string(']', 50);
        var body = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"version":"v1","kind":"X"},"resource":{"version":"v1","resource":"xs"},"operation":"CREATE","object":{"deep":""" + deep + "}}}";
        using var review = AdmissionReviewJson.Decode(Encoding.UTF8.GetBytes(body));
        Assert.Equal(JsonValueKindArray, review.Request.Object!.Value.GetProperty("deep").ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindArray = System.Text.Json.JsonValueKind.Array;

    [Fact]
    public void Body_over_the_byte_limit_is_refused_before_parsing()
    {
        var body = Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam));
        var error = Assert.Throws<AdmissionReviewFormatException>(() => AdmissionReviewJson.Decode(body, new AdmissionReviewReadOptions { MaxBytes = 100 }));
        Assert.Equal(AdmissionReviewProblem.TooLarge, error.Problem);
        Assert.Contains("100-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_that_is_not_utf8_is_named_by_its_path()
    {
        var prefix = Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","name":" """.TrimEnd());
        var body = prefix.Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\"}}")).ToArray();
        var decoded = AdmissionReviewJson.TryDecode(body, null, out var review, out var error);
        review?.Dispose();
        Assert.False(decoded);
        Assert.Equal("$.request.name", error!.JsonPath);
    }
}
