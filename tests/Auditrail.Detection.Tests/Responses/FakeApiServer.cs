using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Auditrail.Detection.Tests.Responses;

/// <summary>One request as the fake apiserver received it.</summary>
internal sealed record ApiCall(string Method, string Path, string? ContentType, string Body);

/// <summary>
/// A stand-in for kube-apiserver on loopback (none can run on the build machines): it records every request
/// and answers the object paths responses use, 200 with an empty object, or a Kubernetes Status error for
/// paths told to fail. A kubeconfig pointing at it lets tests drive the real KubernetesClient.
/// </summary>
internal sealed class FakeApiServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ApiCall> _calls = [];
    private readonly Dictionary<string, (HttpStatusCode Status, string Reason, string Message)> _failures = new(StringComparer.Ordinal);
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-responses-").FullName;

    public FakeApiServer()
    {
        var port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
        Kubeconfig = Path.Combine(_dir, "config");
        File.WriteAllText(Kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster: {server: "http://127.0.0.1:{{port}}"}
            users:
            - name: responder
              user: {token: not-a-real-token}
            contexts:
            - name: fake
              context: {cluster: fake, user: responder}
            current-context: fake
            """);
    }

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
    public void Fail(string method, string path, HttpStatusCode status, string reason, string message) => _failures[$"{method} {path}"] = (status, reason, message);

    /// <summary>Stops listening, so the kubeconfig points at a port nothing answers on.</summary>
    public void Stop() => _listener.Close();

    public void Dispose()
    {
        Stop();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var request = context.Request;
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = request.Url!.AbsolutePath;
            lock (_calls)
            {
                _calls.Add(new ApiCall(request.HttpMethod, path, request.ContentType, body));
            }

            var (status, answer) = _failures.TryGetValue($"{request.HttpMethod} {path}", out var failure)
                ? ((int)failure.Status, $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"{{failure.Message}}","reason":"{{failure.Reason}}","code":{{(int)failure.Status}}}""")
                : (200, "{}");
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
