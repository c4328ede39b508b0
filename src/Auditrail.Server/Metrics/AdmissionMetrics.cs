using Auditrail.Server.Admission;

namespace Auditrail.Server.Metrics;

/// <summary>The admission endpoints' counters on <c>/metrics</c>; registered by <see cref="AdmissionModule"/>.</summary>
/// <param name="counters">The module's counters.</param>
/// <param name="reviewLatency">Seconds from request to answer for every review answered 200, in <see cref="Histogram.LatencySecondsBuckets"/>.</param>
public sealed class AdmissionMetrics(AdmissionCounters counters, Histogram reviewLatency) : IMetricsSource
{
    /// <inheritdoc />
    public void Collect(MetricsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var now = counters.Snapshot();
        const string Reviews = "auditrail_admission_reviews_total";
        const string ReviewsHelp = "AdmissionReviews answered, by endpoint.";
        writer.Counter(Reviews, ReviewsHelp, now.Validated, ("endpoint", "validate"));
        writer.Counter(Reviews, ReviewsHelp, now.Mutated, ("endpoint", "mutate"));
        const string Verdicts = "auditrail_admission_verdicts_total";
        const string VerdictsHelp = "AdmissionReview verdicts, allowed or denied (including by failurePolicy).";
        writer.Counter(Verdicts, VerdictsHelp, now.Allowed, ("verdict", "allowed"));
        writer.Counter(Verdicts, VerdictsHelp, now.Denied, ("verdict", "denied"));
        writer.Counter("auditrail_admission_patched_total", "Reviews answered with a JSON patch.", now.Patched);
        writer.Counter("auditrail_admission_rejected_requests_total", "Requests answered 4xx without a review (malformed, too large, wrong content type).", now.RejectedRequests);
        const string Failures = "auditrail_admission_check_failures_total";
        const string FailuresHelp = "Reviews answered by the failurePolicy instead of the checks, by reason (budget_exceeded is a timeout).";
        writer.Counter(Failures, FailuresHelp, now.CheckErrors, ("reason", "error"));
        writer.Counter(Failures, FailuresHelp, now.BudgetOverruns, ("reason", "budget_exceeded"));
        const string Policy = "auditrail_admission_failure_policy_applied_total";
        const string PolicyHelp = "Failed checks by the failurePolicy applied: Ignore admits (fails open), Fail denies (fails closed).";
        writer.Counter(Policy, PolicyHelp, now.FailedOpen, ("policy", "Ignore"));
        writer.Counter(Policy, PolicyHelp, now.FailedClosed, ("policy", "Fail"));
        writer.Histogram("auditrail_admission_review_duration_seconds", "Time from receiving an AdmissionReview to answering it, in seconds.", reviewLatency.Snapshot());
        writer.Gauge("auditrail_admission_abandoned_checks", "Checks abandoned at their budget that still hold a thread; growth means a check that never returns.", now.AbandonedRunning);
    }
}
