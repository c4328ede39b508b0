using System.Net.Http.Headers;
using System.Text.Json;
using Auditrail.Server.Api;
using Auditrail.Server.Hosting;
using Auditrail.Server.Security;
using Auditrail.Server.Tests.Support;
using Auditrail.Storage;
using Auditrail.Storage.Tests;

namespace Auditrail.Server.Tests.Api;

/// <summary>A real server with the query API over a real DuckDB store in a temp directory, and one token per scope.</summary>
internal sealed class ApiServer : IAsyncDisposable
{
    public const string ReadToken = "read-token-0123456789";
    public const string AdminToken = "admin-token-0123456789";
    public const string IngestToken = "ingest-token-0123456789";

    private ApiServer(TempStore store, RunningServer server)
    {
        Store = store;
        Server = server;
    }

    public TempStore Store { get; }

    public RunningServer Server { get; }

    public static async Task<ApiServer> StartAsync(TimeProvider? time = null, IEventStore? storeOverride = null)
    {
        var store = new TempStore(time);
        var tokens = new AccessTokens().Add(ReadToken, AccessScope.Read).Add(AdminToken, AccessScope.Admin).Add(IngestToken, AccessScope.Ingest);
        var server = await RunningServer.StartAsync(new TeamLabelReviewer(), serverOptions: new ServerOptions { TimeProvider = time ?? TimeProvider.System },
            extraModules: [new QueryApiModule(storeOverride ?? store.Store, tokens)]);
        return new ApiServer(store, server);
    }

    /// <summary>GETs a path with a token (none when null) and returns the status, the parsed body and the response headers.</summary>
    public Task<ApiResponse> GetAsync(string pathAndQuery, string? token = ReadToken) => SendAsync(new HttpRequestMessage(HttpMethod.Get, pathAndQuery), token);

    public Task<ApiResponse> PostSqlAsync(HttpContent body, string? token = AdminToken, string query = "") =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/sql" + query) { Content = body }, token);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Store.Dispose();
    }

    private async Task<ApiResponse> SendAsync(HttpRequestMessage request, string? token)
    {
        using (request)
        {
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await Server.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            using var document = JsonDocument.Parse(text);
            return new ApiResponse((int)response.StatusCode, document.RootElement.Clone(), text, response.Headers.WwwAuthenticate.ToString(),
                response.Content.Headers.ContentType?.MediaType);
        }
    }
}

internal sealed record ApiResponse(int Status, JsonElement Body, string Text, string WwwAuthenticate, string? MediaType)
{
    public IEnumerable<string> AuditIds(string array = "requests") => Body.GetProperty(array).EnumerateArray().Select(e => e.GetProperty("auditID").GetString()!);
}
