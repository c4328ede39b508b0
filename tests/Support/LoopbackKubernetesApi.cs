using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Auditrail.Testing;

/// <summary>
/// The shared half of the stand-in kube-apiservers the tests run on loopback (none can run on the
/// build machines): a listener on a free 127.0.0.1 port, a kubeconfig pointing at it for the real
/// KubernetesClient, and an accept loop that answers each request on its own task, so a long-lived
/// watch never holds up the next call. Each fake says only how it answers a request.
/// </summary>
public abstract class LoopbackKubernetesApi : IDisposable
{
    private readonly HttpListener _listener = new();

    protected LoopbackKubernetesApi()
    {
        var port = FreePort();
        Address = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri Address { get; }

    /// <summary>
    /// Writes a kubeconfig for this server to <paramref name="directory"/>: a context named
    /// <c>fake</c>, any <paramref name="otherContexts"/> on the same cluster, and
    /// <paramref name="currentContext"/> as the current one.
    /// </summary>
    public string WriteKubeconfig(string directory, string currentContext = "fake", params string[] otherContexts)
    {
        var contexts = string.Concat(new[] { "fake" }.Concat(otherContexts).Select(name => $"\n- name: {name}\n  context: {{cluster: fake, user: tester}}"));
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster: {server: "{{Address.ToString().TrimEnd('/')}}"}
            users:
            - name: tester
              user: {token: not-a-real-token}
            contexts:{{contexts}}
            current-context: {{currentContext}}
            """);
        return path;
    }

    /// <summary>Stops listening, so a kubeconfig points at a port nothing answers on.</summary>
    public void Stop() => _listener.Close();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Stop();
        }
    }

    /// <summary>Answers one request; the response is closed by the answer (see <see cref="WriteJsonAsync"/>).</summary>
    protected abstract Task AnswerAsync(HttpListenerContext context);

    protected static async Task WriteJsonAsync(HttpListenerContext context, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    /// <summary>A Kubernetes <c>Status</c> failure body, as the apiserver answers a refused request.</summary>
    protected static string StatusFailure(int code, string reason, string message) =>
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}","code":{{code}}}""";

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

            _ = Task.Run(() => AnswerSafelyAsync(context));
        }
    }

    private async Task AnswerSafelyAsync(HttpListenerContext context)
    {
        try
        {
            await AnswerAsync(context);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The client went away or the server is closing.
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
