using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Auditrail.Server.Hosting;

/// <summary>
/// One group of endpoints on the server: admission review today; audit webhook ingest, the REST API and
/// <c>/metrics</c> join as further modules, each registering its services and mapping its routes without
/// the host changing.
/// </summary>
public interface IServerModule
{
    /// <summary>Registers what the module's endpoints need (counters, readiness checks, background services).</summary>
    void ConfigureServices(IServiceCollection services);

    /// <summary>Maps the module's routes.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
