using System.Net;
using System.Text;

using Auditrail.Testing;

namespace Auditrail.Detection.Tests.Responses;

/// <summary>One request as the fake apiserver received it.</summary>
internal sealed record ApiCall(string Method, string Path, string? ContentType, string Body);

/// <summary>
/// A stand-in for kube-apiserver on loopback (none can run on the build machines): it records every request
/// and answers the object paths responses use, 200 with an empty object, or a Kubernetes Status error for
/// paths told to fail. A kubeconfig pointing at it lets tests drive the real KubernetesClient.
/// </summary>
internal sealed class FakeApiServer : LoopbackKubernetesApi
{
    private readonly List<ApiCall> _calls = [];
    private readonly Dictionary<string, (HttpStatusCode Status, string Reason, string Message)> _failures = new(StringComparer.Ordinal);
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-responses-").FullName;

    public FakeApiServer() => Kubeconfig = WriteKubeconfig(_dir);

    public string Kubeconfig { get; }

    /// <summary>A scratch folder removed with the server.</summary>
    public string ScratchDirectory => _dir;

    public IReadOnlyList<ApiCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Answers <paramref name="method"/> on <paramref name="path"/> with a Status error, as the apiserver does for a refused request.</summary>
    public void Fail(string method, string path, HttpStatusCode status, string reason, string message)
    {
        lock (_failures)
        {
            _failures[$"{method} {path}"] = (status, reason, message);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = request.Url!.AbsolutePath;
        lock (_calls)
        {
            _calls.Add(new ApiCall(request.HttpMethod, path, request.ContentType, body));
        }

        (HttpStatusCode Status, string Reason, string Message) failure;
        bool failing;
        lock (_failures)
        {
            failing = _failures.TryGetValue($"{request.HttpMethod} {path}", out failure);
        }

        await (failing
            ? WriteJsonAsync(context, (int)failure.Status, StatusFailure((int)failure.Status, failure.Reason, failure.Message))
            : WriteJsonAsync(context, 200, "{}"));
    }
}
