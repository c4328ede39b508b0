using System.Threading.Channels;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Responses;

namespace Auditrail.Server.Pipeline;

/// <summary>
/// Runs automated responses off the pipeline's thread: Kubernetes API calls take milliseconds to
/// seconds and must never hold back detection. A bounded queue drops its oldest alerts when responses
/// fall far behind (counted as skipped actions), for the same reason.
/// </summary>
internal sealed class ResponseRunner : IAsyncDisposable
{
    private const int QueueCapacity = 10_000;

    private readonly ResponseEngine _engine;
    private readonly PipelineStatus _status;
    private readonly Channel<Alert> _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _worker;

    public ResponseRunner(ResponseEngine engine, PipelineStatus status)
    {
        _engine = engine;
        _status = status;
        _queue = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => status.AddResponse(ResponseOutcome.Skipped));
        _worker = Task.Run(RunAsync);
    }

    public void Enqueue(Alert alert) => _queue.Writer.TryWrite(alert);

    /// <summary>Lets queued responses finish within <paramref name="timeout"/>, then abandons the rest.</summary>
    public async Task DrainAsync(TimeSpan timeout, TimeProvider time)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(timeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _abort.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Abandoned on purpose: the pipeline is stopping.
        }

        _abort.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync(_abort.Token).ConfigureAwait(false))
        {
            // The engine records and never throws for a failed action; it only stops on cancellation.
            foreach (var record in await _engine.RespondAsync(alert, _abort.Token).ConfigureAwait(false))
            {
                _status.AddResponse(record.Outcome);
            }
        }
    }
}
