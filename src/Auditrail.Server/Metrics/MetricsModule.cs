using System.Text;
using Auditrail.Server.Hosting;
using Auditrail.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format: every <see cref="IMetricsSource"/> registered by
/// the modules, then process and runtime figures. A source that throws loses only its own samples;
/// the failure is logged and counted in <c>auditrail_metrics_collect_errors_total</c>.
/// </summary>
public sealed partial class MetricsModule : IServerModule
{
    /// <summary>The content type of the text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MetricsOptions _options;
    private long _collectErrors;

    /// <summary>Refuses <see cref="MetricsOptions.RequireToken"/> without tokens, rather than serving 401 forever.</summary>
    public MetricsModule(MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RequireToken && options.Tokens is null)
        {
            throw new ArgumentException("/metrics requires a token but no tokens are configured", nameof(options));
        }

        _options = options;
    }

    /// <summary>Sources that threw while being collected, since start.</summary>
    public long CollectErrors => Interlocked.Read(ref _collectErrors);

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Metrics");
        endpoints.MapGet("/metrics", context => ScrapeAsync(context, logger));
    }

    private async Task ScrapeAsync(HttpContext context, ILogger logger)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (_options.RequireToken)
        {
            switch (_options.Tokens!.Check(context.Request, AccessScope.Read))
            {
                case AccessOutcome.Unauthenticated:
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                case AccessOutcome.Forbidden:
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return;
            }
        }

        var page = Render(context.RequestServices.GetServices<IMetricsSource>(), logger);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ContentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(page), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The whole page: the sources in registration order, process figures, then this module's own counter.</summary>
    internal string Render(IEnumerable<IMetricsSource> sources, ILogger logger)
    {
        var writer = new MetricsWriter();
        // Process figures go through the same guard: a module that reused one of their names loses only them.
        foreach (var source in sources.Append(ProcessMetrics.Instance))
        {
            var mark = writer.Mark();
            try
            {
                source.Collect(writer);
            }
#pragma warning disable CA1031 // One broken source must not cost the operator every other figure.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                writer.Rollback(mark);
                Interlocked.Increment(ref _collectErrors);
                LogCollectFailed(logger, source.GetType().FullName ?? source.GetType().Name, ex);
            }
        }

        writer.Counter("auditrail_metrics_collect_errors_total", "Metric sources that failed while being collected; their samples were left out of that scrape.", CollectErrors);
        return writer.ToString();
    }

    [LoggerMessage(EventId = 7400, Level = LogLevel.Error, Message = "metrics source {Source} failed; its samples are left out of this scrape")]
    private static partial void LogCollectFailed(ILogger logger, string source, Exception exception);
}
