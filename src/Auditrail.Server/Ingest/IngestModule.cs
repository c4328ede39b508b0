using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Auditrail.Server.Admission;
using Auditrail.Server.Hosting;
using Auditrail.Server.Metrics;
using Auditrail.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Ingest;

/// <summary>
/// <c>POST /audit/webhook</c> and <c>POST /audit/webhook/{cluster}</c>: what kube-apiserver's audit
/// webhook backend sends (an <c>EventList</c>; a single <c>Event</c> is accepted too), stamped with the
/// cluster and appended to the write-ahead log as one record per request. The answer is 200 only once
/// the batch is on disk, so an acknowledged event survives a crash; 429 when the log is full (the
/// apiserver retries); 400 for a body that is not an event batch, with nothing appended.
/// </summary>
/// <remarks>
/// The cluster comes from the path, else <see cref="IngestOptions.DefaultCluster"/>, else
/// <see cref="IngestOptions.FallbackCluster"/>: every stored event names a cluster the server chose,
/// never one the sender claimed. Registers its counters and the log's state as an <see cref="IMetricsSource"/>.
/// </remarks>
public sealed partial class IngestModule : IServerModule
{
    private static readonly JsonWriterOptions ResponseJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const long DrainSlackBytes = 1024 * 1024;

    /// <summary>nginx's code for a request whose client left before the answer; counted, never sent.</summary>
    private const int StatusClientClosedRequest = 499;

    private readonly IWriteAheadLog _wal;
    private readonly IngestOptions _options;
    private readonly string _defaultCluster;
    private readonly int _maxBodyBytes;

    public IngestModule(IWriteAheadLog wal, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(wal);
        ArgumentNullException.ThrowIfNull(options);
        _defaultCluster = options.DefaultCluster ?? IngestOptions.FallbackCluster;
        if (!ClusterName.IsValid(_defaultCluster))
        {
            throw new ArgumentException($"default cluster '{_defaultCluster}' is not a DNS-1123 name (lowercase letters, digits, '-' and '.')", nameof(options));
        }

        if (options.AllowClientCertificates && options.ClientCertificateAuthorities.Count == 0)
        {
            // Refused at start rather than silently accepting no certificate at all.
            throw new ArgumentException("client certificates are allowed but no certificate authority is configured to check them against", nameof(options));
        }

        // Bodies are read into one array, so the cap stays under what an array can hold.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxBodyBytes, 1L << 30);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEventBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxNestingDepth, 2);
        _wal = wal;
        _options = options;
        _maxBodyBytes = (int)options.MaxBodyBytes;
    }

    /// <summary>What the endpoint did since start.</summary>
    public IngestCounters Counters { get; } = new();

    public void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(Counters);
        services.AddSingleton<IMetricsSource>(new IngestMetrics(Counters, _wal));
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Ingest");
        var time = endpoints.ServiceProvider.GetRequiredService<TimeProvider>();
        endpoints.MapPost("/audit/webhook", context => HandleAsync(context, null, logger, time));
        endpoints.MapPost("/audit/webhook/{cluster}", context => HandleAsync(context, context.Request.RouteValues["cluster"] as string ?? string.Empty, logger, time));
    }

    private async Task HandleAsync(HttpContext context, string? pathCluster, ILogger logger, TimeProvider time)
    {
        int status;
        try
        {
            status = await ServeAsync(context, pathCluster, logger, time).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The sender went away before its batch was queued: nothing was appended and no one is listening.
            status = StatusClientClosedRequest;
        }
        catch (BadHttpRequestException ex)
        {
            // A broken upload (bad chunking, a body cut short): refused like any malformed body.
            status = await RejectAsync(context, logger, ex.StatusCode, "$", $"the request body could not be read: {ex.Message}").ConfigureAwait(false);
        }

        Counters.Answered(status);
    }

    private async Task<int> ServeAsync(HttpContext context, string? pathCluster, ILogger logger, TimeProvider time)
    {
        var access = Authenticate(context, time);
        if (access != AccessOutcome.Allowed)
        {
            var status = access == AccessOutcome.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            LogRefused(logger, status, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return await ErrorAsync(context, status, "$", status == 401 ? "a bearer token or client certificate is required" : "the token does not carry the ingest scope").ConfigureAwait(false);
        }

        var cluster = pathCluster ?? _defaultCluster;
        if (pathCluster is not null && !ClusterName.IsValid(pathCluster))
        {
            return await RejectAsync(context, logger, StatusCodes.Status400BadRequest, "path",
                "the cluster in the path must be a DNS-1123 name: lowercase letters, digits, '-' and '.', at most 253 characters").ConfigureAwait(false);
        }

        // The host's cap on bodies is for every endpoint; this endpoint has its own, enforced while reading.
        // Kestrel's cap sits a little above it so that a body slightly too large is drained after the 413
        // and the sender reads the answer instead of a connection reset mid-upload.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _maxBodyBytes + DrainSlackBytes;
        }

        PooledBody? body;
        try
        {
            body = await PooledBody.ReadAsync(context.Request, _maxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }

        if (body is null)
        {
            return await RejectAsync(context, logger, StatusCodes.Status413PayloadTooLarge, "$",
                $"the body is larger than the {_maxBodyBytes.ToString("N0", CultureInfo.InvariantCulture)}-byte limit").ConfigureAwait(false);
        }

        using (body)
        {
            Counters.Received(body.Length);
            var batch = new ParsedBatch();
            if (!EventBatchParser.TryParse(body.Memory.Span, _options.MaxNestingDepth, _options.MaxEventBytes, batch, out var error))
            {
                return await RejectAsync(context, logger, error.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                    error.Path, error.Reason).ConfigureAwait(false);
            }

            using var lines = StampedBatch.Stamp(body.Memory.Span, batch, cluster);
            Counters.Bad(batch.SkippedCount);
            if (batch.SkippedCount > 0)
            {
                LogSkipped(logger, batch.SkippedCount, cluster, batch.Skipped[0].Path, batch.Skipped[0].Reason);
            }

            long sequence = 0;
            if (lines.Events > 0)
            {
                var started = time.GetTimestamp();
                try
                {
                    sequence = await _wal.AppendAsync("webhook:" + cluster, lines.Events, lines.Lines, context.RequestAborted).ConfigureAwait(false);
                }
                catch (WriteAheadLogFullException ex)
                {
                    context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    LogFull(logger, ex.PendingBytes, ex.CapacityBytes);
                    return await ErrorAsync(context, StatusCodes.Status429TooManyRequests, "$", "the write-ahead queue is full; retry later").ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    LogAppendFailed(logger, ex.Message);
                    return await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "$", "the write-ahead queue cannot take the batch now; retry later").ConfigureAwait(false);
                }

                Counters.Appended(time.GetElapsedTime(started));
                Counters.Accepted(lines.Events);
            }

            await AcceptedAsync(context, batch, lines.Events, sequence).ConfigureAwait(false);
            return StatusCodes.Status200OK;
        }
    }

    /// <summary>A client certificate from the configured authorities, else a bearer token with the ingest scope.</summary>
    private AccessOutcome Authenticate(HttpContext context, TimeProvider time)
    {
        if (_options.AllowClientCertificates && context.Connection.ClientCertificate is { } certificate
            && IngestClientCertificates.IsTrusted(certificate, _options.ClientCertificateAuthorities, time))
        {
            return AccessOutcome.Allowed;
        }

        return _options.Tokens.Check(context.Request, AccessScope.Ingest);
    }

    private static async Task AcceptedAsync(HttpContext context, ParsedBatch batch, int accepted, long sequence)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ResponseJson))
        {
            writer.WriteStartObject();
            writer.WriteNumber("accepted"u8, accepted);
            writer.WriteNumber("badRecords"u8, batch.SkippedCount);
            if (sequence > 0)
            {
                writer.WriteNumber("sequence"u8, sequence);
            }

            if (batch.Skipped.Count > 0)
            {
                writer.WriteStartArray("warnings"u8);
                foreach (var skipped in batch.Skipped)
                {
                    writer.WriteStartObject();
                    writer.WriteString("path"u8, skipped.Path);
                    writer.WriteString("reason"u8, skipped.Reason);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<int> RejectAsync(HttpContext context, ILogger logger, int status, string path, string reason)
    {
        LogRejected(logger, status, path, reason, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return await ErrorAsync(context, status, path, reason).ConfigureAwait(false);
    }

    /// <summary>Answers <c>{"error": ..., "path": ...}</c>: the reason and the JSON path it applies to.</summary>
    private static async Task<int> ErrorAsync(HttpContext context, int status, string path, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ResponseJson))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, reason);
            writer.WriteString("path"u8, path);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        return status;
    }

    // Log lines name the place and the reason, never a token or an event's content.
    [LoggerMessage(EventId = 9000, Level = LogLevel.Warning, Message = "Audit webhook answered {Status} to {Remote}: {JsonPath}: {Reason}")]
    private static partial void LogRejected(ILogger logger, int status, string jsonPath, string reason, string remote);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Audit webhook refused {Remote} with {Status}: missing or insufficient credentials")]
    private static partial void LogRefused(ILogger logger, int status, string remote);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Audit webhook skipped {Count} item(s) from cluster {Cluster}, first at {JsonPath}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, int count, string cluster, string jsonPath, string reason);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Audit webhook answered 429: the write-ahead queue holds {Pending} of {Capacity} bytes")]
    private static partial void LogFull(ILogger logger, long pending, long capacity);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Error, Message = "Audit webhook answered 503: the batch could not be appended: {Reason}")]
    private static partial void LogAppendFailed(ILogger logger, string reason);
}
