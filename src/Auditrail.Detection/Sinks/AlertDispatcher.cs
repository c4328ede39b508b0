using System.Threading.Channels;
using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Fans alerts out to sinks without ever making the caller wait: each sink has its own bounded queue and worker,
/// so a slow or failing sink only loses its own oldest alerts (counted), never delays the pipeline or another
/// sink. Per sink: filter, dedup, rate limit, retries with backoff. Dispose to flush what is queued.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly SinkWorker[] _workers;
    private readonly ITimer? _dedupTimer;

    /// <summary>Starts one worker per sink. <paramref name="random"/> drives retry jitter; pass a seeded one in tests.</summary>
    public AlertDispatcher(IEnumerable<(IAlertSink Sink, SinkOptions Options)> sinks, TimeProvider time, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(time);
        var list = sinks.ToList();
        var duplicate = list.GroupBy(s => s.Sink.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two sinks are named '{duplicate.Key}'; sink names must be unique", nameof(sinks));
        }

        var jitter = random ?? Random.Shared;
        _workers = list.Select(s => new SinkWorker(s.Sink, s.Options, time, jitter)).ToArray();

        // One timer releases dedup groups whose window has passed on the clock, for every sink that dedups.
        var windows = list.Where(s => s.Options.DedupWindow is not null).Select(s => s.Options.DedupWindow!.Value).ToList();
        if (windows.Count > 0)
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, windows.Min().Ticks / 4));
            _dedupTimer = time.CreateTimer(_ => ReleaseDueGroups(all: false), null, period, period);
        }
    }

    /// <summary>Queues an alert for every sink whose filter wants it; never blocks.</summary>
    public void Publish(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        foreach (var worker in _workers)
        {
            worker.Offer(alert);
        }
    }

    /// <summary>Each sink's counters now.</summary>
    public IReadOnlyList<SinkStatistics> Snapshot() => _workers.Select(w => w.Snapshot()).ToArray();

    /// <summary>Releases pending dedup groups, lets every queue drain (retries included) and stops the workers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dedupTimer is not null)
        {
            await _dedupTimer.DisposeAsync().ConfigureAwait(false);
        }

        ReleaseDueGroups(all: true);
        foreach (var worker in _workers)
        {
            worker.Complete();
        }

        await Task.WhenAll(_workers.Select(w => w.Completion)).ConfigureAwait(false);
    }

    /// <summary>Stops waiting for slow sinks: in-flight retries are abandoned and what is still queued is counted as failed.</summary>
    public void Abort()
    {
        foreach (var worker in _workers)
        {
            worker.Abort();
        }
    }

    private void ReleaseDueGroups(bool all)
    {
        foreach (var worker in _workers)
        {
            worker.ReleaseDedup(all);
        }
    }

    private sealed class SinkWorker
    {
        private readonly IAlertSink _sink;
        private readonly SinkOptions _options;
        private readonly TimeProvider _time;
        private readonly Random _random;
        private readonly Channel<Alert> _queue;
        private readonly SinkCounters _counters = new();
        private readonly AlertDeduplicator? _dedup;
        private readonly TokenBucket? _bucket;
        private readonly CancellationTokenSource _abort = new();

        public SinkWorker(IAlertSink sink, SinkOptions options, TimeProvider time, Random random)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.QueueCapacity);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBatchSize);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Retry.MaxAttempts);
            _sink = sink;
            _options = options;
            _time = time;
            _random = random;
            _queue = Channel.CreateBounded<Alert>(
                new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => _counters.AddDropped());
            if (options.DedupWindow is { } window)
            {
                _dedup = new AlertDeduplicator(window, time);
            }

            if (options.RatePerSecond is { } rate)
            {
                _bucket = new TokenBucket(rate, options.Burst ?? options.MaxBatchSize, time);
            }

            Completion = Task.Run(RunAsync);
        }

        public Task Completion { get; }

        public SinkStatistics Snapshot() => _counters.Snapshot(_sink.Name, _queue.Reader.Count);

        public void Offer(Alert alert)
        {
            if (!_options.Filter.Matches(alert))
            {
                _counters.AddFiltered();
                return;
            }

            if (_dedup is null)
            {
                Enqueue(alert);
                return;
            }

            var released = _dedup.Add(alert, out var merged);
            if (merged)
            {
                _counters.AddDeduplicated();
            }

            if (released is not null)
            {
                Enqueue(released);
            }
        }

        public void ReleaseDedup(bool all)
        {
            if (_dedup is null)
            {
                return;
            }

            foreach (var alert in _dedup.Release(all))
            {
                Enqueue(alert);
            }
        }

        public void Complete() => _queue.Writer.TryComplete();

        public void Abort()
        {
            _queue.Writer.TryComplete();
            _abort.Cancel();
        }

        private void Enqueue(Alert alert)
        {
            // After completion (shutdown) nothing more can be sent; count it rather than lose it silently.
            if (!_queue.Writer.TryWrite(alert))
            {
                _counters.AddDropped();
            }
        }

        private async Task RunAsync()
        {
            var reader = _queue.Reader;
            var batch = new List<Alert>(_options.MaxBatchSize);
            var batchLimit = _bucket is null ? _options.MaxBatchSize : Math.Min(_options.MaxBatchSize, _bucket.Capacity);
            try
            {
                while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
                {
                    batch.Clear();
                    while (batch.Count < batchLimit && reader.TryRead(out var alert))
                    {
                        batch.Add(alert);
                    }

                    await WaitForTokensAsync(batch.Count).ConfigureAwait(false);
                    await DeliverAsync(batch).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                _counters.AddFailed(batch.Count + reader.Count);
            }
        }

        private async Task WaitForTokensAsync(int count)
        {
            if (_bucket is null)
            {
                return;
            }

            for (var wait = _bucket.TryTake(count); wait > TimeSpan.Zero; wait = _bucket.TryTake(count))
            {
                await Task.Delay(wait, _time, _abort.Token).ConfigureAwait(false);
            }
        }

        private async Task DeliverAsync(List<Alert> batch)
        {
            var alerts = batch.ToArray();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _sink.SendAsync(alerts, _abort.Token).ConfigureAwait(false);
                    _counters.AddSent(alerts.Length);
                    batch.Clear();
                    return;
                }
                catch (Exception error) when (error is not OperationCanceledException || !_abort.IsCancellationRequested)
                {
                    var (transient, retryAfter) = Classify(error);
                    if (!transient || attempt >= _options.Retry.MaxAttempts)
                    {
                        _counters.AddFailed(alerts.Length);
                        batch.Clear();
                        return;
                    }

                    _counters.AddRetried();
                    var delay = _options.Retry.DelayAfter(attempt, _random.NextDouble(), retryAfter);
                    await Task.Delay(delay, _time, _abort.Token).ConfigureAwait(false);
                }
            }
        }

        // 5xx, 429 and timeouts can pass; anything else (4xx, serialization, I/O on a local file) will fail again.
        private static (bool Transient, TimeSpan? RetryAfter) Classify(Exception error) => error switch
        {
            AlertSinkException sinkError => (sinkError.IsTransient, sinkError.RetryAfter),
            HttpRequestException { StatusCode: null } => (true, null),
            HttpRequestException { StatusCode: { } status } => (JsonPost.IsTransientStatus(status), null),
            TimeoutException => (true, null),
            OperationCanceledException => (true, null),
            _ => (false, null),
        };

    }
}
