using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Auditrail.Admission.Review;

namespace Auditrail.Server.Tests.Support;

/// <summary>AdmissionReview requests as kube-apiserver sends them, for realistic objects.</summary>
internal static class Reviews
{
    public const string PodWithTeam = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d9f","namespace":"shop","labels":{"app":"web","team":"payments"}},
         "spec":{"containers":[{"name":"web","image":"registry.example/web:1.4.2","ports":[{"containerPort":8080}],
           "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}}}]}}
        """;

    public const string PodWithoutLabels = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"shop"},
         "spec":{"containers":[{"name":"shell","image":"busybox:latest","command":["sleep","3600"]}]}}
        """;

    public static AdmissionRequest PodCreate(string podJson, string uid = "705ab4f5-6393-11e8-b7cc-42010a800002")
    {
        using var pod = JsonDocument.Parse(podJson);
        var root = pod.RootElement.Clone();
        var metadata = root.GetProperty("metadata");
        return new AdmissionRequest
        {
            Uid = uid,
            Kind = new GroupVersionKind(string.Empty, "v1", "Pod"),
            Resource = new GroupVersionResource(string.Empty, "v1", "pods"),
            Name = metadata.GetProperty("name").GetString(),
            Namespace = metadata.GetProperty("namespace").GetString(),
            Operation = AdmissionOperation.Create,
            UserInfo = new AdmissionUserInfo("alice@example.com", ["developers", "system:authenticated"]),
            Object = root,
            Options = JsonDocument.Parse("""{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}""").RootElement.Clone(),
        };
    }

    public static byte[] Encode(AdmissionRequest request, AdmissionReviewVersion version = AdmissionReviewVersion.V1)
    {
        var buffer = new ArrayBufferWriter<byte>();
        AdmissionReviewJson.WriteRequest(buffer, version, request);
        return buffer.WrittenSpan.ToArray();
    }

    public static HttpContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static HttpContent Json(string body) => Json(Encoding.UTF8.GetBytes(body));
}
