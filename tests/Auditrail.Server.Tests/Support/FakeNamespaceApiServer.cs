using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Channels;

using Auditrail.Testing;

namespace Auditrail.Server.Tests.Support;

/// <summary>
/// A loopback HTTP server that speaks the part of the Kubernetes API a namespace informer uses:
/// <c>GET /api/v1/namespaces</c> (a NamespaceList at the current resourceVersion, optionally held back
/// until <see cref="ReleaseLists"/>) and <c>GET /api/v1/namespaces?watch=true</c> (newline-delimited
/// watch events, streamed as the test sends them, until the test ends the watch). No real
/// kube-apiserver can run on this machine; this one answers in the same wire format.
/// </summary>
public sealed class FakeNamespaceApiServer : LoopbackKubernetesApi
{
    private readonly Dictionary<string, string> _namespaces = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly TaskCompletionSource _listsReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Channel<string?> _watch = Channel.CreateUnbounded<string?>();
    private int _resourceVersion = 100;

    public FakeNamespaceApiServer(bool holdLists = false)
    {
        if (!holdLists)
        {
            _listsReleased.SetResult();
        }
    }

    /// <summary>Every request's path and query, in arrival order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Sets a namespace in the stored state (what the next list returns), without a watch event.</summary>
    public void Store(string name, string labelsJson = "{}")
    {
        lock (_namespaces)
        {
            _namespaces[name] = Object(name, labelsJson, ++_resourceVersion);
        }
    }

    public void Remove(string name)
    {
        lock (_namespaces)
        {
            _namespaces.Remove(name);
            _resourceVersion++;
        }
    }

    /// <summary>Stores a namespace and sends the event to the open watch.</summary>
    public void Send(string type, string name, string labelsJson = "{}")
    {
        string body;
        lock (_namespaces)
        {
            body = Object(name, labelsJson, ++_resourceVersion);
            if (type == "DELETED")
            {
                _namespaces.Remove(name);
            }
            else
            {
                _namespaces[name] = body;
            }
        }

        _watch.Writer.TryWrite($$"""{"type":"{{type}}","object":{{body}}}""");
    }

    /// <summary>Ends the open watch normally, as the apiserver does when timeoutSeconds elapse.</summary>
    public void EndWatch() => Interlocked.Exchange(ref _watch, Channel.CreateUnbounded<string?>()).Writer.TryWrite(null);

    /// <summary>Ends the open watch with the ERROR event the apiserver sends when the resourceVersion is too old.</summary>
    public void ExpireWatch()
    {
        var open = Interlocked.Exchange(ref _watch, Channel.CreateUnbounded<string?>());
        open.Writer.TryWrite("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}""");
        open.Writer.TryWrite(null);
    }

    /// <summary>Lets held-back list requests answer.</summary>
    public void ReleaseLists() => _listsReleased.TrySetResult();

    /// <summary>Waits until a request whose path and query satisfies <paramref name="match"/> has arrived <paramref name="count"/> times.</summary>
    public async Task WaitForRequestAsync(Func<string, bool> match, int count = 1)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Requests.Count(match) < count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _watch.Writer.TryComplete();
        base.Dispose(disposing);
    }

    public static bool IsList(string request) => request.StartsWith("/api/v1/namespaces", StringComparison.Ordinal) && !request.Contains("watch=true", StringComparison.Ordinal);

    public static bool IsWatch(string request) => request.StartsWith("/api/v1/namespaces", StringComparison.Ordinal) && request.Contains("watch=true", StringComparison.Ordinal);

    private static string Object(string name, string labelsJson, int resourceVersion) =>
        $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}","resourceVersion":"{{{resourceVersion.ToString(CultureInfo.InvariantCulture)}}}","labels":{{{labelsJson}}}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}""";

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var url = context.Request.Url!;
        lock (_requests)
        {
            _requests.Add(url.PathAndQuery);
        }

        context.Response.ContentType = "application/json";
        if (url.AbsolutePath != "/api/v1/namespaces")
        {
            await WriteJsonAsync(context, 404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
        }
        else if (IsWatch(url.PathAndQuery))
        {
            await StreamWatchAsync(context);
        }
        else
        {
            await _listsReleased.Task;
            string body;
            lock (_namespaces)
            {
                body = $$"""{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"{{_resourceVersion.ToString(CultureInfo.InvariantCulture)}}"},"items":[{{string.Join(",", _namespaces.Values)}}]}""";
            }

            await WriteJsonAsync(context, 200, body);
        }
    }

    private async Task StreamWatchAsync(HttpListenerContext context)
    {
        // Ending a watch swaps in a fresh channel, so events sent after it belong to the next watch.
        var events = _watch;
        context.Response.StatusCode = 200;
        context.Response.SendChunked = true;
        var output = context.Response.OutputStream;
        await output.FlushAsync();
        await foreach (var line in events.Reader.ReadAllAsync())
        {
            if (line is null)
            {
                break;
            }

            await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
            await output.FlushAsync();
        }

        context.Response.Close();
    }
}
