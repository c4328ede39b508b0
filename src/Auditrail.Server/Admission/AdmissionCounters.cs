namespace Auditrail.Server.Admission;

/// <summary>What the admission endpoints did, counted since start; <c>/metrics</c> (issue 9) exports a snapshot.</summary>
public sealed class AdmissionCounters
{
    private long _validated;
    private long _mutated;
    private long _allowed;
    private long _denied;
    private long _patched;
    private long _rejectedRequests;
    private long _checkErrors;
    private long _budgetOverruns;
    private long _failedOpen;
    private long _failedClosed;
    private long _abandonedRunning;

    /// <summary>A consistent-enough copy of every counter (each read atomically).</summary>
    public AdmissionCounterSnapshot Snapshot() => new(
        Interlocked.Read(ref _validated),
        Interlocked.Read(ref _mutated),
        Interlocked.Read(ref _allowed),
        Interlocked.Read(ref _denied),
        Interlocked.Read(ref _patched),
        Interlocked.Read(ref _rejectedRequests),
        Interlocked.Read(ref _checkErrors),
        Interlocked.Read(ref _budgetOverruns),
        Interlocked.Read(ref _failedOpen),
        Interlocked.Read(ref _failedClosed),
        Interlocked.Read(ref _abandonedRunning));

    internal void Reviewed(ReviewEndpoint endpoint, bool allowed, bool patched)
    {
        Interlocked.Increment(ref endpoint == ReviewEndpoint.Validate ? ref _validated : ref _mutated);
        Interlocked.Increment(ref allowed ? ref _allowed : ref _denied);
        if (patched)
        {
            Interlocked.Increment(ref _patched);
        }
    }

    internal void RequestRejected() => Interlocked.Increment(ref _rejectedRequests);

    /// <summary>A check was abandoned at its budget and still holds a thread until it returns.</summary>
    internal void CheckAbandoned() => Interlocked.Increment(ref _abandonedRunning);

    internal void AbandonedCheckReturned() => Interlocked.Decrement(ref _abandonedRunning);

    internal void ReviewFailed(ReviewFailure failure, FailurePolicy policy)
    {
        Interlocked.Increment(ref failure == ReviewFailure.BudgetExceeded ? ref _budgetOverruns : ref _checkErrors);
        Interlocked.Increment(ref policy == FailurePolicy.Ignore ? ref _failedOpen : ref _failedClosed);
    }
}

/// <summary>
/// The counters at one moment. <see cref="RejectedRequests"/> are HTTP requests answered 4xx without a
/// review (malformed, too large, wrong content type); <see cref="FailedOpen"/> and <see cref="FailedClosed"/>
/// split <see cref="CheckErrors"/> plus <see cref="BudgetOverruns"/> by the failurePolicy applied.
/// <see cref="AbandonedRunning"/> is a gauge: checks abandoned at their budget that have not returned yet,
/// each holding a thread-pool thread; a number that keeps growing means a check that never returns.
/// </summary>
public sealed record AdmissionCounterSnapshot(
    long Validated,
    long Mutated,
    long Allowed,
    long Denied,
    long Patched,
    long RejectedRequests,
    long CheckErrors,
    long BudgetOverruns,
    long FailedOpen,
    long FailedClosed,
    long AbandonedRunning);

/// <summary>Which endpoint a review came to.</summary>
internal enum ReviewEndpoint
{
    Validate,
    Mutate,
}

/// <summary>Why a review was answered by the failurePolicy instead of the checks.</summary>
internal enum ReviewFailure
{
    CheckError,
    BudgetExceeded,
}
