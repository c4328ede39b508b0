using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Server.Admission;
using Auditrail.Server.Hosting;

namespace Auditrail.Server.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port, and a client for it.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(AuditrailServer server, AdmissionModule admission, HttpClient client)
    {
        Server = server;
        Admission = admission;
        Client = client;
    }

    public AuditrailServer Server { get; }

    public AdmissionModule Admission { get; }

    public HttpClient Client { get; }

    public Uri BaseAddress => Server.Addresses[0];

    public static async Task<RunningServer> StartAsync(IAdmissionReviewer reviewer, AdmissionEndpointOptions? admissionOptions = null,
        ServerOptions? serverOptions = null, IEnumerable<IServerModule>? extraModules = null, HttpMessageHandler? handler = null)
    {
        var admission = new AdmissionModule(reviewer, admissionOptions ?? new AdmissionEndpointOptions());
        var options = (serverOptions ?? new ServerOptions()) with { Listen = [new ListenAddress(System.Net.IPAddress.Loopback, 0)] };
        var server = AuditrailServer.Create(options, [admission, .. extraModules ?? []]);
        await server.StartAsync();
        var client = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = server.Addresses[0], Timeout = TimeSpan.FromSeconds(30) };
        return new RunningServer(server, admission, client);
    }

    /// <summary>Posts a review and returns the HTTP status and the parsed body.</summary>
    public async Task<(int Status, JsonElement Body)> PostAsync(string path, HttpContent content)
    {
        using var response = await Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
    }
}
