using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Review;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Codec;

public sealed class AdmissionReviewEncodeTests
{
    private static JsonElement Encode(AdmissionVerdict verdict, AdmissionReviewVersion version = AdmissionReviewVersion.V1, string uid = "u-1")
    {
        var buffer = new ArrayBufferWriter<byte>();
        AdmissionReviewJson.WriteResponse(buffer, version, uid, verdict);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Allowed_verdict_is_a_bare_response_with_the_uid_echoed()
    {
        var review = Encode(new AdmissionVerdict { Allowed = true });
        Assert.Equal("admission.k8s.io/v1", review.GetProperty("apiVersion").GetString());
        Assert.Equal("AdmissionReview", review.GetProperty("kind").GetString());
        var response = review.GetProperty("response");
        Assert.Equal("u-1", response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(["uid", "allowed"], response.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Denial_carries_status_code_message_reason_warnings_and_annotations()
    {
        var response = Encode(new AdmissionVerdict
        {
            Allowed = false,
            Code = 403,
            Message = "pod web runs as root",
            Reason = "Forbidden",
            Warnings = ["image uses latest"],
            AuditAnnotations = new Dictionary<string, string> { ["policy"] = "no-root" },
        }).GetProperty("response");
        Assert.False(response.GetProperty("allowed").GetBoolean());
        var status = response.GetProperty("status");
        Assert.Equal(403, status.GetProperty("code").GetInt32());
        Assert.Equal("pod web runs as root", status.GetProperty("message").GetString());
        Assert.Equal("Forbidden", status.GetProperty("reason").GetString());
        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal("image uses latest", response.GetProperty("warnings")[0].GetString());
        Assert.Equal("no-root", response.GetProperty("auditAnnotations").GetProperty("policy").GetString());
        Assert.False(response.TryGetProperty("patch", out _));
        Assert.False(response.TryGetProperty("patchType", out _));
    }

    [Fact]
    public void Patch_is_base64_json_patch_with_its_type()
    {
        var response = Encode(new AdmissionVerdict
        {
            Allowed = true,
            Patch =
            [
                new JsonPatchOperation("add", "/metadata/labels/owner", JsonValue.Create("payments")),
                new JsonPatchOperation("remove", "/metadata/annotations/old"),
                new JsonPatchOperation("replace", "/spec/replicas", JsonValue.Create(2)),
            ],
        }).GetProperty("response");
        Assert.Equal("JSONPatch", response.GetProperty("patchType").GetString());
        var patch = JsonNode.Parse(Convert.FromBase64String(response.GetProperty("patch").GetString()!))!.AsArray();
        Assert.Equal(3, patch.Count);
        Assert.Equal("""{"op":"add","path":"/metadata/labels/owner","value":"payments"}""", patch[0]!.ToJsonString());
        Assert.Equal("""{"op":"remove","path":"/metadata/annotations/old"}""", patch[1]!.ToJsonString());
        Assert.Equal(2, (int)patch[2]!["value"]!);
    }

    [Fact]
    public void Response_comes_in_the_version_of_the_request()
    {
        Assert.Equal("admission.k8s.io/v1beta1", Encode(new AdmissionVerdict { Allowed = true }, AdmissionReviewVersion.V1Beta1).GetProperty("apiVersion").GetString());
    }

    [Fact]
    public void Uid_and_messages_are_escaped_as_json()
    {
        var response = Encode(new AdmissionVerdict { Allowed = false, Message = "bad \"quote\"\n<script>" }, uid: "a\"b").GetProperty("response");
        Assert.Equal("a\"b", response.GetProperty("uid").GetString());
        Assert.Equal("bad \"quote\"\n<script>", response.GetProperty("status").GetProperty("message").GetString());
    }

    [Fact]
    public void Written_patch_applies_to_the_object()
    {
        var buffer = new ArrayBufferWriter<byte>();
        AdmissionReviewJson.WritePatch(buffer, [new JsonPatchOperation("add", "/metadata/labels", new JsonObject { ["a"] = "b" })]);
        var patched = JsonPatch.Apply(JsonNode.Parse("""{"metadata":{"name":"x"}}"""), JsonNode.Parse(Encoding.UTF8.GetString(buffer.WrittenSpan))!.AsArray());
        Assert.Equal("""{"metadata":{"name":"x","labels":{"a":"b"}}}""", patched!.ToJsonString());
    }
}
