using System.Collections.Concurrent;
using Auditrail.Core.Model;

namespace Auditrail.Core.Reading;

/// <summary>
/// Replays several inputs as one stream in event time: each input (the logs of one apiserver, say) is
/// read on its own thread, and the handler receives, on the calling thread, always the earliest of the
/// inputs' next events. Each input is assumed to be roughly in time order already, as audit logs are;
/// detection then tolerates the small disorder left. Without this, the second of two overlapping logs
/// would arrive hours "late" for every windowed rule.
/// </summary>
public sealed class EventTimeMerger(AuditReaderOptions? options = null)
{
    /// <summary>Events buffered per input; enough to keep readers busy, small enough to bound memory.</summary>
    private const int QueueCapacity = 4096;

    private readonly AuditReaderOptions _options = options ?? AuditReaderOptions.Default;

    /// <summary>What one input yields: an event (detached) with its place, a diagnostic, or the start of a source.</summary>
    private readonly record struct Item(AuditEvent? Event, RecordLocation Location, ReadDiagnostic? Diagnostic, string? SourceStart, long Ticks);

    /// <summary>Reads every input, each with <see cref="AuditLogReader.ReadPaths"/>, merged by event time.</summary>
    /// <param name="inputs">Each entry is one input: a file, a directory (its files in name order) or <c>-</c>.</param>
    public ReadCounters ReadMerged(IReadOnlyList<string> inputs, IAuditEventHandler handler, CancellationToken cancellationToken = default, Func<Stream>? openStdin = null)
    {
        if (inputs.Count <= 1)
        {
            return new AuditLogReader(_options).ReadPaths(inputs, handler, cancellationToken, openStdin);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queues = inputs.Select(_ => new BlockingCollection<Item>(QueueCapacity)).ToArray();
        var counters = new ReadCounters[inputs.Count];
        var failures = new ConcurrentQueue<Exception>();
        var threads = inputs.Select((input, i) => new Thread(() =>
        {
            try
            {
                counters[i] = new AuditLogReader(_options).ReadPaths([input], new Enqueue(queues[i], stop.Token), stop.Token, openStdin);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped because another input failed or the caller cancelled.
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
                stop.Cancel();
            }
            finally
            {
                queues[i].CompleteAdding();
            }
        })
        { IsBackground = true, Name = $"auditrail-read-{i}" }).ToArray();

        foreach (var thread in threads)
        {
            thread.Start();
        }

        try
        {
            Merge(queues, handler, stop.Token);
        }
        finally
        {
            stop.Cancel();
            foreach (var thread in threads)
            {
                thread.Join();
            }

            foreach (var queue in queues)
            {
                queue.Dispose();
            }
        }

        if (!failures.IsEmpty)
        {
            throw new AggregateException("reading an input failed", failures);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var total = new ReadCounters();
        foreach (var c in counters.OfType<ReadCounters>())
        {
            total.Add(c);
        }

        return total;
    }

    private static void Merge(BlockingCollection<Item>[] queues, IAuditEventHandler handler, CancellationToken cancellationToken)
    {
        var heads = new Item?[queues.Length];
        while (true)
        {
            // Fill every head: diagnostics and source starts pass straight through, as they carry no time.
            var earliest = -1;
            for (var i = 0; i < queues.Length; i++)
            {
                while (heads[i] is null && !queues[i].IsCompleted)
                {
                    if (!queues[i].TryTake(out var item, Timeout.Infinite, cancellationToken))
                    {
                        break;
                    }

                    if (item.Event is null)
                    {
                        Forward(handler, item);
                        continue;
                    }

                    heads[i] = item;
                }

                if (heads[i] is { } head && (earliest < 0 || head.Ticks < heads[earliest]!.Value.Ticks))
                {
                    earliest = i;
                }
            }

            if (earliest < 0)
            {
                return;
            }

            var next = heads[earliest]!.Value;
            heads[earliest] = null;
            handler.OnEvent(next.Event!, next.Location);
        }
    }

    private static void Forward(IAuditEventHandler handler, Item item)
    {
        if (item.Diagnostic is { } diagnostic)
        {
            handler.OnDiagnostic(diagnostic);
        }
        else if (item.SourceStart is { } source)
        {
            handler.OnSourceStart(source);
        }
    }

    /// <summary>Runs on an input's thread: detaches each event (the reader reuses its instance) and queues it.</summary>
    private sealed class Enqueue(BlockingCollection<Item> queue, CancellationToken cancellationToken) : IAuditEventHandler
    {
        /// <summary>The last time seen, given to events without one so they keep their place in their input.</summary>
        private long _lastTicks = long.MinValue;

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            if (auditEvent.Time is { } time)
            {
                _lastTicks = time.UtcTicks;
            }

            queue.Add(new Item(auditEvent.Detach(), location, null, null, _lastTicks), cancellationToken);
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => queue.Add(new Item(null, default, diagnostic, null, 0), cancellationToken);

        public void OnSourceStart(string source) => queue.Add(new Item(null, default, null, source, 0), cancellationToken);
    }
}
