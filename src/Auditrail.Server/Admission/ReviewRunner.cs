using System.Globalization;
using Auditrail.Admission.Review;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Admission;

/// <summary>
/// Runs the checks of one review within the time budget and turns an error or an overrun into the
/// verdict the failurePolicy asks for. The checks run on the thread pool so that the request can stop
/// waiting for them: a check is handed a token cancelled at the budget, but one that ignores it (a tight
/// loop, a blocking call) is abandoned, and whatever it reads is released only once it returns.
/// </summary>
internal sealed partial class ReviewRunner(IAdmissionReviewer reviewer, AdmissionEndpointOptions options, AdmissionCounters counters, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// The audit annotation a failed review adds; kube-apiserver prefixes it with the webhook's name
    /// (<c>validate.auditrail.io/review-failure</c>).
    /// </summary>
    public const string FailureAnnotation = "review-failure";

    /// <summary>
    /// The verdict for <paramref name="review"/>. When the checks are abandoned, <paramref name="release"/>
    /// (which frees the review's buffers) is deferred until they return; otherwise it runs before this returns.
    /// </summary>
    public async Task<AdmissionVerdict> RunAsync(ReviewEndpoint endpoint, AdmissionRequest review, IDisposable release)
    {
        // One token for both the check and the wait: a client that goes away is not waited for separately,
        // since the wait ends within the budget anyway and the answer then has nowhere to go.
        var budget = new CancellationTokenSource(options.TimeBudget, time);
        var checkToken = budget.Token;
        var checks = Task.Run(() => endpoint == ReviewEndpoint.Validate
            ? reviewer.Validate(review, checkToken)
            : reviewer.Mutate(review, checkToken), CancellationToken.None);
        try
        {
            return await checks.WaitAsync(checkToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            LogBudgetExceeded(logger, review.Uid, endpoint, options.TimeBudget.TotalMilliseconds, options.FailurePolicy);
            counters.ReviewFailed(ReviewFailure.BudgetExceeded, options.FailurePolicy);
            var seconds = options.TimeBudget.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return FailureVerdict($"the checks did not finish within the {seconds}s time budget", "budget-exceeded");
        }
        catch (Exception ex)
        {
            LogCheckError(logger, ex, review.Uid, endpoint, options.FailurePolicy);
            counters.ReviewFailed(ReviewFailure.CheckError, options.FailurePolicy);
            return FailureVerdict($"a check failed with {ex.GetType().Name}", "check-error");
        }
        finally
        {
            if (checks.IsCompleted)
            {
                budget.Dispose();
                release.Dispose();
            }
            else
            {
                // Abandoned at the budget: the check may still read the request and its token.
                counters.CheckAbandoned();
                _ = checks.ContinueWith(static (task, state) =>
                {
                    _ = task.Exception; // observed: an abandoned check's late failure is not an unobserved exception
                    var (tokenSource, resources, abandonedCounters) = ((CancellationTokenSource, IDisposable, AdmissionCounters))state!;
                    tokenSource.Dispose();
                    resources.Dispose();
                    abandonedCounters.AbandonedCheckReturned();
                }, (budget, release, counters), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private AdmissionVerdict FailureVerdict(string what, string annotationReason)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FailureAnnotation] = $"{annotationReason}; failurePolicy {options.FailurePolicy}",
        };
        if (options.FailurePolicy == FailurePolicy.Ignore)
        {
            return new AdmissionVerdict
            {
                Allowed = true,
                Warnings = [$"auditrail did not complete its review ({what}); the request is allowed because the failurePolicy is Ignore"],
                AuditAnnotations = annotations,
            };
        }

        return new AdmissionVerdict
        {
            Allowed = false,
            Code = 500,
            Reason = "InternalError",
            Message = $"auditrail could not complete its review ({what}); the request is denied because the failurePolicy is Fail",
            AuditAnnotations = annotations,
        };
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "review {Uid} at /{Endpoint} exceeded the {BudgetMs} ms budget; answered by failurePolicy {Policy}")]
    private static partial void LogBudgetExceeded(ILogger logger, string uid, ReviewEndpoint endpoint, double budgetMs, FailurePolicy policy);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "review {Uid} at /{Endpoint}: a check threw; answered by failurePolicy {Policy}")]
    private static partial void LogCheckError(ILogger logger, Exception exception, string uid, ReviewEndpoint endpoint, FailurePolicy policy);
}
