using Auditrail.Admission.Review;

namespace Auditrail.Server.Admission;

/// <summary>What the webhook answers when it cannot finish a review, mirroring the webhook configuration's failurePolicy.</summary>
public enum FailurePolicy
{
    /// <summary>Fail closed: deny with code 500.</summary>
    Fail,

    /// <summary>Fail open: allow, with a warning to the client and an audit annotation.</summary>
    Ignore,
}

/// <summary>How <c>/validate</c> and <c>/mutate</c> treat each review.</summary>
public sealed record AdmissionEndpointOptions
{
    /// <summary>
    /// 2 s. kube-apiserver waits timeoutSeconds (10 s by default, the value in deploy/admission) for the
    /// whole call, TLS handshake and network included, and then applies the failurePolicy itself with no
    /// explanation. A check runs in microseconds, so one that takes seconds is stuck (a runaway expression,
    /// a lock); stopping at 2 s answers with our own policy decision, a warning and an audit annotation,
    /// counted, while leaving 8 s for queueing, a slow network and retries, and keeps a stuck check from
    /// holding every pod creation in the cluster for the full 10 s.
    /// </summary>
    public static readonly TimeSpan DefaultTimeBudget = TimeSpan.FromSeconds(2);

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.Fail;

    public TimeSpan TimeBudget { get; init; } = DefaultTimeBudget;

    /// <summary>Body size and nesting limits for the review.</summary>
    public AdmissionReviewReadOptions Limits { get; init; } = new();
}
