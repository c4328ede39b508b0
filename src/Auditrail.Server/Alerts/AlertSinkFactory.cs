using System.Net.Http.Headers;
using Auditrail.Detection.Sinks;
using Auditrail.Server.Configuration;

namespace Auditrail.Server.Alerts;

/// <summary>
/// The sinks a configuration names, ready for the dispatcher, and what they hold open (files, HTTP
/// connection pools). Dispose after the dispatcher has drained.
/// </summary>
public sealed class ConfiguredSinks : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned;
    private readonly List<HttpClient> _clients;

    internal ConfiguredSinks(List<(IAlertSink Sink, SinkOptions Options)> sinks, List<IAsyncDisposable> owned, List<HttpClient> clients)
    {
        Sinks = sinks;
        _owned = owned;
        _clients = clients;
    }

    /// <summary>Each sink with its dispatcher options, in configuration order.</summary>
    public IReadOnlyList<(IAlertSink Sink, SinkOptions Options)> Sinks { get; }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}

/// <summary>
/// Turns <c>sinks:</c> entries into <see cref="IAlertSink"/>s with their <see cref="SinkOptions"/>. Secrets
/// (bearer tokens, secret URLs) are read from their files here, once, and handed only to the sink that
/// sends them; no message names their content.
/// </summary>
public static class AlertSinkFactory
{
    /// <summary>
    /// Ten seconds per attempt: a healthy receiver answers in milliseconds, and the dispatcher retries a
    /// timed-out batch with backoff rather than holding the sink's queue on one slow call.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Builds every sink, or none: <paramref name="problems"/> lists each one that could not be built (an
    /// unreadable token file, a URL file without a URL). <paramref name="standardOutput"/> is where stdout
    /// sinks write (the process's standard output when null; tests capture it).
    /// </summary>
    public static bool TryCreate(IReadOnlyList<SinkSettings> settings, out ConfiguredSinks sinks, out IReadOnlyList<string> problems, Stream? standardOutput = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var built = new List<(IAlertSink, SinkOptions)>();
        var owned = new List<IAsyncDisposable>();
        var clients = new List<HttpClient>();
        var errors = new List<string>();
        foreach (var sink in settings)
        {
            try
            {
                if (Create(sink, standardOutput, owned, clients, errors) is { } created)
                {
                    built.Add((created, OptionsOf(sink)));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"sink '{sink.Name}': {ex.Message}");
            }
        }

        sinks = new ConfiguredSinks(built, owned, clients);
        problems = errors;
        return errors.Count == 0;
    }

    /// <summary>The dispatcher's options for one sink: filter, queue, dedup, rate and retries.</summary>
    public static SinkOptions OptionsOf(SinkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = new SinkOptions();
        return new SinkOptions
        {
            Filter = new AlertFilter(settings.MinSeverity, settings.Rules, settings.Tags),
            QueueCapacity = settings.QueueCapacity ?? defaults.QueueCapacity,
            DedupWindow = settings.DedupWindow,
            RatePerSecond = settings.Rate,
            Burst = settings.Burst,
            Retry = settings.Retries is { } retries ? defaults.Retry with { MaxAttempts = retries + 1 } : defaults.Retry,
        };
    }

    private static IAlertSink? Create(SinkSettings sink, Stream? standardOutput, List<IAsyncDisposable> owned, List<HttpClient> clients, List<string> errors)
    {
        switch (sink.Type)
        {
            case SinkType.Stdout:
                return new JsonLinesAlertSink(sink.Name, standardOutput ?? Console.OpenStandardOutput(), ownsStream: standardOutput is null);
            case SinkType.File:
                // Resumed, not just appended to: alerts re-published after a crash are not written twice.
                var file = JsonLinesAlertSink.ResumeFile(sink.Name, sink.Path!);
                owned.Add(file);
                return file;
        }

        var url = sink.Url ?? ReadUrl(sink, errors);
        var token = sink.TokenFile is { } tokenFile ? ReadSecret(sink, tokenFile, "tokenFile", errors) : null;
        if (url is null || (sink.TokenFile is not null && token is null))
        {
            return null;
        }

        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = RequestTimeout };
        clients.Add(client);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("auditrail", null));
        foreach (var (name, value) in sink.Headers)
        {
            if (!client.DefaultRequestHeaders.TryAddWithoutValidation(name, value))
            {
                errors.Add($"sink '{sink.Name}': header {name} cannot be set on a request");
            }
        }

        return sink.Type switch
        {
            SinkType.Webhook => new WebhookAlertSink(sink.Name, client, url, token),
            SinkType.Slack => new SlackAlertSink(sink.Name, client, url),
            _ => new AlertmanagerSink(sink.Name, client, url, bearerToken: token),
        };
    }

    private static Uri? ReadUrl(SinkSettings sink, List<string> errors)
    {
        if (ReadSecret(sink, sink.UrlFile!, "urlFile", errors) is not { } text)
        {
            return null;
        }

        if (ConfigValues.TryParseHttpUrl(text, out var url))
        {
            return url;
        }

        errors.Add($"sink '{sink.Name}': urlFile {sink.UrlFile} does not hold an absolute http:// or https:// URL");
        return null;
    }

    /// <summary>A one-line secret from a file, trimmed; an empty file is an error, since sending no credential would fail only later.</summary>
    private static string? ReadSecret(SinkSettings sink, string path, string field, List<string> errors)
    {
        var text = File.ReadAllText(path).Trim();
        if (text.Length == 0)
        {
            errors.Add($"sink '{sink.Name}': {field} {path} is empty");
            return null;
        }

        return text;
    }
}
