using System.Diagnostics;
using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Server.Admission;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Admission;

public sealed class FailurePolicyTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(200);

    private static AdmissionEndpointOptions Options(FailurePolicy policy) => new() { FailurePolicy = policy, TimeBudget = Budget };

    private static Task<(int Status, JsonElement Body)> Review(RunningServer server, string endpoint = "/validate") =>
        server.PostAsync(endpoint, Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam, uid: "fp-1"))));

    [Fact]
    public async Task Throwing_check_with_Fail_is_denied_with_500_and_counted()
    {
        await using var server = await RunningServer.StartAsync(new ThrowingReviewer(), Options(FailurePolicy.Fail));
        var (status, body) = await Review(server);
        Assert.Equal(200, status);
        var response = body.GetProperty("response");
        Assert.Equal("fp-1", response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(500, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Contains("InvalidOperationException", response.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("failurePolicy is Fail", response.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("check-error; failurePolicy Fail", response.GetProperty("auditAnnotations").GetProperty(ReviewRunner.FailureAnnotation).GetString());
        var counters = server.Admission.Counters.Snapshot();
        Assert.Equal((1, 0, 0, 1), (counters.CheckErrors, counters.BudgetOverruns, counters.FailedOpen, counters.FailedClosed));
    }

    [Fact]
    public async Task Throwing_check_with_Ignore_is_allowed_with_a_warning_and_an_audit_annotation()
    {
        await using var server = await RunningServer.StartAsync(new ThrowingReviewer(), Options(FailurePolicy.Ignore));
        var (_, body) = await Review(server, "/mutate");
        var response = body.GetProperty("response");
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.False(response.TryGetProperty("status", out _));
        Assert.False(response.TryGetProperty("patch", out _));
        Assert.Contains("allowed because the failurePolicy is Ignore", response.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("check-error; failurePolicy Ignore", response.GetProperty("auditAnnotations").GetProperty(ReviewRunner.FailureAnnotation).GetString());
        var counters = server.Admission.Counters.Snapshot();
        Assert.Equal((1, 1, 0), (counters.CheckErrors, counters.FailedOpen, counters.FailedClosed));
    }

    [Theory]
    [InlineData(FailurePolicy.Fail, false)]
    [InlineData(FailurePolicy.Ignore, true)]
    public async Task Check_that_ignores_its_token_is_abandoned_at_the_budget(FailurePolicy policy, bool allowed)
    {
        var reviewer = new SleepingReviewer(TimeSpan.FromMilliseconds(3000));
        await using var server = await RunningServer.StartAsync(reviewer, Options(policy));
        var clock = Stopwatch.StartNew();
        var (_, body) = await Review(server);
        clock.Stop();

        var response = body.GetProperty("response");
        Assert.Equal(allowed, response.GetProperty("allowed").GetBoolean());
        Assert.Equal($"budget-exceeded; failurePolicy {policy}", response.GetProperty("auditAnnotations").GetProperty(ReviewRunner.FailureAnnotation).GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(2500), $"answered after {clock.Elapsed.TotalMilliseconds} ms; the check sleeps 3000 ms");
        Assert.Equal((1, 1), (server.Admission.Counters.Snapshot().BudgetOverruns, server.Admission.Counters.Snapshot().AbandonedRunning));

        // The abandoned check still reads its request safely when it wakes: the buffers wait for it.
        Assert.Equal("web-7d9f", await reviewer.ReadAfterSleep.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var waited = Stopwatch.StartNew();
        while (server.Admission.Counters.Snapshot().AbandonedRunning != 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, server.Admission.Counters.Snapshot().AbandonedRunning);
    }

    [Fact]
    public async Task Check_that_honours_its_token_stops_at_the_budget()
    {
        var reviewer = new CooperativeReviewer();
        await using var server = await RunningServer.StartAsync(reviewer, Options(FailurePolicy.Fail));
        var (_, body) = await Review(server);
        Assert.False(body.GetProperty("response").GetProperty("allowed").GetBoolean());
        Assert.Contains("did not finish within the 0.2s time budget", body.GetProperty("response").GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(await reviewer.SawCancellation.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Fast_check_is_unaffected_by_the_budget()
    {
        // The default budget: on a loaded test machine a 200 ms one could be overrun by scheduling alone.
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(), new AdmissionEndpointOptions());
        for (var i = 0; i < 20; i++)
        {
            var (_, body) = await Review(server);
            Assert.True(body.GetProperty("response").GetProperty("allowed").GetBoolean());
        }

        var counters = server.Admission.Counters.Snapshot();
        Assert.Equal((20, 0, 0), (counters.Allowed, counters.BudgetOverruns, counters.CheckErrors));
    }

    private sealed class ThrowingReviewer : IAdmissionReviewer
    {
        public AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("guardrail blew up");

        public AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("mutation blew up");
    }

    /// <summary>Blocks without looking at its token, then reads the request it was given.</summary>
    private sealed class SleepingReviewer(TimeSpan sleep) : IAdmissionReviewer
    {
        public TaskCompletionSource<string?> ReadAfterSleep { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken)
        {
            Thread.Sleep(sleep);
            try
            {
                ReadAfterSleep.SetResult(request.Object!.Value.GetProperty("metadata").GetProperty("name").GetString());
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
            {
                ReadAfterSleep.SetException(ex);
            }

            return new AdmissionVerdict { Allowed = true };
        }

        public AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken) => Validate(request, cancellationToken);
    }

    /// <summary>Waits on its token, as a long evaluation that checks for cancellation would.</summary>
    private sealed class CooperativeReviewer : IAdmissionReviewer
    {
        public TaskCompletionSource<bool> SawCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken)
        {
            SawCancellation.SetResult(cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
            cancellationToken.ThrowIfCancellationRequested();
            return new AdmissionVerdict { Allowed = true };
        }

        public AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken) => Validate(request, cancellationToken);
    }
}
