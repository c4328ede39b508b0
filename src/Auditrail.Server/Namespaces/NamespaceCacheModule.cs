using Auditrail.Server.Health;
using Auditrail.Server.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Namespaces;

/// <summary>
/// Runs a <see cref="ClusterNamespaceCache"/> with the server: it starts watching when the host starts,
/// stops when the host stops, logs through the host's logging, and holds <c>/readyz</c> at 503 until
/// the first list is read. It maps no endpoints.
/// </summary>
public sealed class NamespaceCacheModule(ClusterNamespaceCache cache) : IServerModule
{
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IReadinessCheck>(cache);
        services.AddHostedService(provider => new Runner(cache, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Namespaces")));
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }

    private sealed class Runner(ClusterNamespaceCache cache, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            cache.Start(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => cache.StopAsync();
    }
}
