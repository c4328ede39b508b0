using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Security;

namespace Auditrail.Server.Tests.Ingest;

/// <summary>A real Kestrel on 127.0.0.1 with only the ingest module, over a real log in a temporary folder.</summary>
internal sealed class IngestServer(WalDirectory directory, WriteAheadLog wal, IngestModule module, AuditrailServer server, HttpClient client) : IAsyncDisposable
{
    public const string IngestToken = "ingest-token-for-tests";
    public const string ReadToken = "read-token-for-tests";

    public WriteAheadLog Wal { get; } = wal;

    public IngestModule Module { get; } = module;

    public AuditrailServer Server { get; } = server;

    /// <summary>A client sending the ingest token.</summary>
    public HttpClient Client { get; } = client;

    public static AccessTokens Tokens() => new AccessTokens().Add(IngestToken, AccessScope.Ingest).Add(ReadToken, AccessScope.Read);

    public static async Task<IngestServer> StartAsync(IngestOptions? options = null, long capacityBytes = 1L << 30,
        ServerOptions? serverOptions = null, HttpMessageHandler? handler = null)
    {
        var directory = new WalDirectory();
        var wal = directory.Open(capacityBytes: capacityBytes);
        var module = new IngestModule(wal, options ?? new IngestOptions { Tokens = Tokens() });
        var server = AuditrailServer.Create((serverOptions ?? new ServerOptions()) with { Listen = [new ListenAddress(System.Net.IPAddress.Loopback, 0)] }, [module]);
        await server.StartAsync();
        var client = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = server.Addresses[0], Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestToken);
        return new IngestServer(directory, wal, module, server, client);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string json, string path = "/audit/webhook") =>
        SendAsync(Client, path, Json(json));

    /// <summary>Posts <paramref name="events"/> events and checks they went in as the log's record <paramref name="sequence"/>.</summary>
    public async Task AssertAcceptedAsync(int events, long sequence)
    {
        var (status, body, _) = await PostAsync(AuditEvents.List(events));
        Assert.Equal(200, status);
        Assert.Equal(events, body.GetProperty("accepted").GetInt32());
        Assert.Equal(sequence, body.GetProperty("sequence").GetInt64());
        Assert.Equal(sequence, Wal.LastSequence);
    }

    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpClient client, string path, HttpContent content)
    {
        var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, document.RootElement.Clone(), response);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
        await Wal.DisposeAsync();
        directory.Dispose();
    }
}

/// <summary>Audit events as kube-apiserver's webhook backend sends them.</summary>
internal static class AuditEvents
{
    public static string Event(int i, string extra = "") =>
        $$"""{"level":"Metadata","auditID":"id-{{i}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"list","user":{"username":"system:admin","groups":["system:masters"]},"sourceIPs":["10.0.0.1"],"objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-05-04T10:00:00.000000Z","stageTimestamp":"2026-05-04T10:00:00.001000Z"{{extra}}}""";

    public static string List(params string[] items) =>
        $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{string.Join(",", items)}}]}""";

    /// <summary>A list of <paramref name="count"/> events of about 1.5 KB, a typical Metadata-level event with a request object.</summary>
    public static string List(int count) => List([.. Enumerable.Range(0, count).Select(Padded)]);

    public static string Padded(int i) => Event(i, $$""","requestObject":{"kind":"DeleteOptions","apiVersion":"v1","note":"{{new string('p', 1000)}}"}""");
}
