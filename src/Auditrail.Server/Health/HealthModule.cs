using System.Text;
using Auditrail.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Auditrail.Server.Health;

/// <summary>
/// <c>GET /healthz</c> (liveness: the process answers) and <c>GET /readyz</c> (readiness: every module's
/// checks pass and the server is not shutting down), answered as Kubernetes components answer them:
/// <c>ok</c> as plain text, or 503 with one line per failing check.
/// </summary>
internal sealed class HealthModule : IServerModule
{
    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IReadinessCheck, StoppingCheck>();

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static context => WriteText(context, StatusCodes.Status200OK, "ok"));
        endpoints.MapGet("/readyz", static context =>
        {
            var failures = new StringBuilder();
            foreach (var check in context.RequestServices.GetServices<IReadinessCheck>())
            {
                if (check.NotReadyReason() is { } reason)
                {
                    failures.Append("[-]").Append(check.Name).Append(": ").Append(reason).Append('\n');
                }
            }

            return failures.Length == 0
                ? WriteText(context, StatusCodes.Status200OK, "ok")
                : WriteText(context, StatusCodes.Status503ServiceUnavailable, failures.Append("readyz check failed").ToString());
        });
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>
    /// Not ready once shutdown begins, so the Service's endpoints drop the pod while in-flight reviews
    /// finish, instead of new reviews arriving at a server about to close.
    /// </summary>
    private sealed class StoppingCheck(IHostApplicationLifetime lifetime) : IReadinessCheck
    {
        public string Name => "shutdown";

        public string? NotReadyReason() =>
            lifetime.ApplicationStopping.IsCancellationRequested ? "the server is shutting down" : null;
    }
}
