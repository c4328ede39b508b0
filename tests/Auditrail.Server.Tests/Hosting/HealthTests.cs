using System.Net;
using Auditrail.Server.Health;
using Auditrail.Server.Hosting;
using Auditrail.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Auditrail.Server.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_and_readyz_answer_ok()
    {
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer());
        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_module_that_is_not_ready_makes_readyz_503_with_its_reason_while_healthz_stays_ok()
    {
        var module = new WarmingModule();
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(), extraModules: [module]);

        using (var notReady = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("[-]queue: replaying 3 batches", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var alive = await server.Client.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        // Another module's endpoint sits beside the admission ones without the host changing.
        Assert.Equal("pong", await server.Client.GetStringAsync(new Uri("/ping", UriKind.Relative)));

        module.Check.Ready = true;
        using var ready = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Readyz_fails_once_shutdown_begins()
    {
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer());
        var check = server.Server.Services.GetServices<IReadinessCheck>().Single(c => c.Name == "shutdown");
        Assert.Null(check.NotReadyReason());
        await server.Server.StopAsync();
        Assert.Equal("the server is shutting down", check.NotReadyReason());
    }

    private sealed class WarmingModule : IServerModule
    {
        public WarmingCheck Check { get; } = new();

        public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IReadinessCheck>(Check);

        public void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGet("/ping", static context => context.Response.WriteAsync("pong"));
    }

    private sealed class WarmingCheck : IReadinessCheck
    {
        public volatile bool Ready;

        public string Name => "queue";

        public string? NotReadyReason() => Ready ? null : "replaying 3 batches";
    }
}
