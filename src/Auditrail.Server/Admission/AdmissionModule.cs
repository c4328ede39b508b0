using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Server.Hosting;
using Auditrail.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Auditrail.Server.Admission;

/// <summary>
/// <c>POST /validate</c> and <c>POST /mutate</c>: an AdmissionReview in, the reviewer's verdict out in the
/// same apiVersion. A request that is not a review gets a 4xx with a Kubernetes <c>Status</c> body naming
/// the problem and its JSON path (415 wrong content type, 413 too large, 400 anything else), and the
/// server goes on serving; kube-apiserver treats any non-200 as a failed call and applies its own
/// failurePolicy.
/// </summary>
public sealed partial class AdmissionModule(IAdmissionReviewer reviewer, AdmissionEndpointOptions options) : IServerModule
{
    /// <summary>The counters of this module's endpoints.</summary>
    public AdmissionCounters Counters { get; } = new();

    /// <summary>Seconds from request to answer of every review answered, for <c>/metrics</c>.</summary>
    public Histogram ReviewLatency { get; } = new(Histogram.LatencySecondsBuckets);

    public void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(Counters);
        services.AddSingleton<IMetricsSource>(new AdmissionMetrics(Counters, ReviewLatency));
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Admission");
        var time = endpoints.ServiceProvider.GetRequiredService<TimeProvider>();
        var runner = new ReviewRunner(reviewer, options, Counters, time, logger);
        endpoints.MapPost("/validate", context => HandleAsync(context, ReviewEndpoint.Validate, runner, logger, time));
        endpoints.MapPost("/mutate", context => HandleAsync(context, ReviewEndpoint.Mutate, runner, logger, time));
    }

    private async Task HandleAsync(HttpContext context, ReviewEndpoint endpoint, ReviewRunner runner, ILogger logger, TimeProvider time)
    {
        var started = time.GetTimestamp();
        if (!IsJson(context.Request.ContentType))
        {
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType", "$",
                $"expected Content-Type application/json (an AdmissionReview), found {(string.IsNullOrEmpty(context.Request.ContentType) ? "none" : context.Request.ContentType)}", logger).ConfigureAwait(false);
            return;
        }

        PooledBody? body;
        try
        {
            body = await PooledBody.ReadAsync(context.Request, options.Limits.MaxBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }

        if (body is null)
        {
            await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", "$",
                $"the review is larger than the {options.Limits.MaxBytes.ToString("N0", CultureInfo.InvariantCulture)}-byte limit", logger).ConfigureAwait(false);
            return;
        }

        if (!AdmissionReviewJson.TryDecode(body.Memory, options.Limits, out var review, out var error))
        {
            body.Dispose();
            var status = error.Problem == AdmissionReviewProblem.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
            await RejectAsync(context, status, status == StatusCodes.Status400BadRequest ? "BadRequest" : "RequestEntityTooLarge",
                error.JsonPath, error.Detail, logger).ConfigureAwait(false);
            return;
        }

        var request = review.Request;
        var version = review.Version;
        var verdict = await runner.RunAsync(endpoint, request, new Release(review, body)).ConfigureAwait(false);
        Counters.Reviewed(endpoint, verdict.Allowed, verdict.Patch.Count > 0);
        var elapsed = time.GetElapsedTime(started);
        ReviewLatency.Observe(elapsed);
        LogVerdict(logger, verdict.Allowed ? LogLevel.Debug : LogLevel.Information, request, endpoint, verdict, elapsed);

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        AdmissionReviewJson.WriteResponse(context.Response.BodyWriter, version, request.Uid, verdict);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// kube-apiserver sends exactly <c>application/json</c>, compared without parsing; a charset parameter
    /// is allowed, other types are not a review.
    /// </summary>
    private static bool IsJson(string? contentType) =>
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || (MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers with a metav1.Status, the shape Kubernetes clients and kube-apiserver's logs expect from an API error.</summary>
    private async Task RejectAsync(HttpContext context, int status, string reason, string path, string detail, ILogger logger)
    {
        Counters.RequestRejected();
        LogRejected(logger, context.Request.Path.Value ?? string.Empty, status, path, detail);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        // Relaxed escaping keeps quotes readable in logs and terminals; the body is JSON, never HTML.
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion"u8, "v1"u8);
            writer.WriteString("kind"u8, "Status"u8);
            writer.WriteString("status"u8, "Failure"u8);
            writer.WriteString("message"u8, $"{path}: {detail}");
            writer.WriteString("reason"u8, reason);
            writer.WriteStartObject("details"u8);
            writer.WriteStartArray("causes"u8);
            writer.WriteStartObject();
            writer.WriteString("field"u8, path);
            writer.WriteString("message"u8, detail);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteNumber("code"u8, status);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>One log line per verdict, with who and what but never the object: bodies may hold secrets.</summary>
    private static void LogVerdict(ILogger logger, LogLevel level, AdmissionRequest request, ReviewEndpoint endpoint, AdmissionVerdict verdict, TimeSpan elapsed)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }

        LogReview(logger, level, endpoint, request.Uid, request.Operation, request.Kind.Kind, request.Namespace ?? string.Empty,
            request.Name ?? string.Empty, request.UserInfo.Username, verdict.Allowed, verdict.Patch.Count, verdict.Warnings.Count,
            verdict.Message ?? string.Empty, elapsed.TotalMilliseconds);
    }

    [LoggerMessage(EventId = 7100, Message = "/{Endpoint} {Uid} {Operation} {Kind} {Namespace}/{Name} by {User}: allowed={Allowed} patchOps={PatchOperations} warnings={Warnings} {Reason} ({ElapsedMs:0.###} ms)")]
    private static partial void LogReview(ILogger logger, LogLevel level, ReviewEndpoint endpoint, string uid, AdmissionOperation operation, string kind,
        string @namespace, string name, string user, bool allowed, int patchOperations, int warnings, string reason, double elapsedMs);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "{Path} answered {Status}: {JsonPath}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string path, int status, string jsonPath, string detail);

    /// <summary>Frees the parsed document, then the bytes it points into.</summary>
    private sealed class Release(DecodedAdmissionReview review, PooledBody body) : IDisposable
    {
        public void Dispose()
        {
            review.Dispose();
            body.Dispose();
        }
    }
}
