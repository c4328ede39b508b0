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
        Split(writer, "auditrail_admission_reviews_total", "AdmissionReviews answered, by endpoint.", "endpoint",
            ("validate", now.Validated), ("mutate", now.Mutated));
        Split(writer, "auditrail_admission_verdicts_total", "AdmissionReview verdicts, allowed or denied (including by failurePolicy).", "verdict",
            ("allowed", now.Allowed), ("denied", now.Denied));
        writer.Counter("auditrail_admission_patched_total", "Reviews answered with a JSON patch.", now.Patched);
        writer.Counter("auditrail_admission_rejected_requests_total", "Requests answered 4xx without a review (malformed, too large, wrong content type).", now.RejectedRequests);
        Split(writer, "auditrail_admission_check_failures_total", "Reviews answered by the failurePolicy instead of the checks, by reason (budget_exceeded is a timeout).", "reason",
            ("error", now.CheckErrors), ("budget_exceeded", now.BudgetOverruns));
        Split(writer, "auditrail_admission_failure_policy_applied_total", "Failed checks by the failurePolicy applied: Ignore admits (fails open), Fail denies (fails closed).", "policy",
            ("Ignore", now.FailedOpen), ("Fail", now.FailedClosed));
        writer.Histogram("auditrail_admission_review_duration_seconds", "Time from receiving an AdmissionReview to answering it, in seconds.", reviewLatency.Snapshot());
        writer.Gauge("auditrail_admission_abandoned_checks", "Checks abandoned at their budget that still hold a thread; growth means a check that never returns.", now.AbandonedRunning);
    }

    /// <summary>One counter family split in two by one label.</summary>
    private static void Split(MetricsWriter writer, string name, string help, string label, (string Value, long Count) first, (string Value, long Count) second)
    {
        writer.Counter(name, help, first.Count, (label, first.Value));
        writer.Counter(name, help, second.Count, (label, second.Value));
    }
}
