using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Server.Health;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Auditrail.Server.Namespaces;

/// <summary>
/// The cluster's Namespace objects, kept current the way an informer keeps them: list every namespace,
/// then watch from the list's resourceVersion; a watch that ends (the apiserver closes watches after a
/// timeout) is reopened from the last version seen, and a watch the apiserver refuses as too old
/// (410 Gone, as a status or as an ERROR event) starts over with a fresh list, which also drops
/// namespaces deleted meanwhile. Until the first list has been read the cache is not ready
/// (<see cref="NotReadyReason"/>), so <c>/readyz</c> keeps traffic away from a webhook that would apply
/// the Pod Security defaults to every namespace. Afterwards a lost connection keeps the last known state
/// (stale labels beat no labels) and is retried with backoff.
/// </summary>
public sealed class ClusterNamespaceCache : INamespaceSource, IReadinessCheck, IAsyncDisposable
{
    private const int PageSize = 500;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, JsonElement> _namespaces = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstList = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ILogger _logger = NullLogger.Instance;
    private Task? _loop;
    private volatile string? _lastError;

    /// <param name="client">The client to list and watch with (in-cluster or kubeconfig configuration).</param>
    /// <param name="watchTimeout">How long each watch is asked to last before the apiserver closes it (it is then reopened).</param>
    /// <param name="time">Clock for the retry backoff.</param>
    public ClusterNamespaceCache(IKubernetes client, TimeSpan watchTimeout, TimeProvider? time = null)
    {
        _client = client;
        WatchTimeout = watchTimeout;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How long each watch lasts before it is reopened.</summary>
    public TimeSpan WatchTimeout { get; }

    /// <summary>How many namespaces are known now.</summary>
    public int Count => _namespaces.Count;

    /// <summary>How many times the namespaces were listed (the first list, then each resync after a 410 or a failure).</summary>
    public int ListCount { get; private set; }

    /// <summary>Completes when the first list has been read.</summary>
    public Task FirstListRead => _firstList.Task;

    /// <inheritdoc/>
    public string Name => "namespaces";

    /// <summary>Builds the client from a kubeconfig file, or from the pod's service account when <paramref name="kubeconfig"/> is null.</summary>
    public static IKubernetes CreateClient(string? kubeconfig) =>
        new Kubernetes(kubeconfig is null
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

    /// <inheritdoc/>
    public JsonElement? FindNamespace(string name) => _namespaces.TryGetValue(name, out var ns) ? ns : null;

    /// <inheritdoc/>
    public string? NotReadyReason() => _firstList.Task.IsCompleted
        ? null
        : "the namespaces have not been listed yet" + (_lastError is { } error ? $" ({error})" : string.Empty);

    /// <summary>Starts listing and watching in the background, logging failures to <paramref name="logger"/>; call once.</summary>
    public void Start(ILogger? logger = null)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("the namespace cache is already started");
        }

        _logger = logger ?? NullLogger.Instance;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Stops watching; the last known namespaces stay readable.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    /// <summary>Stops watching and releases the client.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        (_client as IDisposable)?.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
                // Watch until the apiserver says the version is gone; each normal end reopens from the last version.
                while (await WatchAsync(resourceVersion, cancellationToken).ConfigureAwait(false) is { } next)
                {
                    resourceVersion = next;
                }

                _logger.LogInformation("namespace watch expired (410 Gone); listing the namespaces again");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Whatever went wrong (network, credentials, a malformed answer), the loop must survive it:
                // a dead loop would leave the webhook unready forever, or serving stale labels forever.
                _lastError = Describe(ex);
                _logger.LogWarning("cannot list or watch namespaces ({Error}); retrying in {Seconds} s with the last known namespaces", _lastError, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Lists every namespace page by page, replaces the cache with them, and returns the list's resourceVersion.</summary>
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? next = null;
        string? resourceVersion;
        do
        {
            var page = await _client.CoreV1.ListNamespaceAsync(continueParameter: next, limit: PageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                if (item.Metadata?.Name is { } name)
                {
                    _namespaces[name] = ToJson(item);
                    seen.Add(name);
                }
            }

            next = page.Metadata?.ContinueProperty;
            resourceVersion = page.Metadata?.ResourceVersion;
        }
        while (!string.IsNullOrEmpty(next));

        // Namespaces deleted while no watch was running are gone from the list: drop them.
        foreach (var name in _namespaces.Keys.Where(name => !seen.Contains(name)).ToList())
        {
            _namespaces.TryRemove(name, out _);
        }

        ListCount++;
        _lastError = null;
        _firstList.TrySetResult();
        _logger.LogInformation("listed {Count} namespaces at resourceVersion {ResourceVersion}", seen.Count, resourceVersion);
        return resourceVersion ?? string.Empty;
    }

    /// <summary>One watch from <paramref name="resourceVersion"/>: the version to reopen from when it ends normally, null when it expired (410).</summary>
    private async Task<string?> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? streamError = null;
        var events = _client.CoreV1.WatchListNamespaceAsync(
            allowWatchBookmarks: true,
            resourceVersion: resourceVersion,
            timeoutSeconds: (int)WatchTimeout.TotalSeconds,
            onError: ex => streamError ??= ex,
            cancellationToken: cancellationToken);
        try
        {
            await foreach (var (type, item) in events.ConfigureAwait(false))
            {
                if (item?.Metadata is not { } metadata)
                {
                    continue;
                }

                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified when metadata.Name is { } name:
                        _namespaces[name] = ToJson(item);
                        break;
                    case WatchEventType.Deleted when metadata.Name is { } name:
                        _namespaces.TryRemove(name, out _);
                        break;
                }

                resourceVersion = metadata.ResourceVersion ?? resourceVersion;
            }
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
        {
            return null;
        }

        // The apiserver reports an expired version inside the stream, as an ERROR event with a 410 Status.
        return streamError switch
        {
            null => resourceVersion,
            KubernetesException { Status.Code: (int)HttpStatusCode.Gone } => null,
            _ => throw streamError,
        };
    }

    /// <summary>The namespace as the checks read it: the same JSON the apiserver sends, with the kind a list's items leave out.</summary>
    private static JsonElement ToJson(V1Namespace item)
    {
        item.ApiVersion = "v1";
        item.Kind = "Namespace";
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(item));
        return document.RootElement.Clone();
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpOperationException http => $"HTTP {(int)http.Response.StatusCode}",
        KubernetesException { Status: { } status } => $"HTTP {status.Code}: {status.Message}",
        TaskCanceledException => "timed out",
        _ => ex.Message,
    };
}
