namespace Auditrail.Storage.Retention;

/// <summary>
/// Runs a purge every interval on the store's <see cref="TimeProvider"/> timer, so a long-running
/// process (the server) keeps within its retention without a cron job; tests drive it with a fake clock.
/// </summary>
public sealed class RetentionSchedule : IDisposable
{
    private readonly ITimer _timer;
    private readonly IEventStore _store;
    private readonly RetentionPolicy _policy;
    private readonly Action<PurgeResult>? _purged;
    private readonly Action<Exception>? _failed;
    private int _running;

    public RetentionSchedule(IEventStore store, RetentionPolicy policy, TimeSpan interval, TimeProvider time, Action<PurgeResult>? purged = null, Action<Exception>? failed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _store = store;
        _policy = policy;
        _purged = purged;
        _failed = failed;
        _timer = time.CreateTimer(_ => Tick(), null, interval, interval);
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>One purge at a time: a tick that finds the previous purge still running is skipped, not queued.</summary>
    private void Tick()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        try
        {
            _purged?.Invoke(_store.Purge(_policy));
        }
        catch (Exception ex) when (_failed is not null)
        {
            // A failed purge must not kill the timer thread; the next tick tries again.
            _failed(ex);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
