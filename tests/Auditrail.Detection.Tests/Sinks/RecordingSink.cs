using System.Collections.Concurrent;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Sinks;

namespace Auditrail.Detection.Tests.Sinks;

/// <summary>An in-memory sink that records batches; can be held (to fill its queue) or made to throw.</summary>
internal sealed class RecordingSink(string name = "memory") : IAlertSink
{
    private TaskCompletionSource _gate = CompletedGate();

    public string Name { get; } = name;

    public ConcurrentQueue<IReadOnlyList<Alert>> Batches { get; } = new();

    public IEnumerable<Alert> Alerts => Batches.SelectMany(b => b);

    public int Calls;

    public Func<int, Exception?> FailOnCall { get; set; } = _ => null;

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public async ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref Calls);
        await _gate.Task.WaitAsync(cancellationToken);
        if (FailOnCall(call) is { } error)
        {
            throw error;
        }

        Batches.Enqueue(batch);
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
