using System.Text;
using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Server.Admission;
using Auditrail.Server.Hosting;
using Auditrail.Server.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Tests.Admission;

public sealed class LoggingAndConcurrencyTests
{
    /// <summary>A value that stands for a secret inside an object: it must never reach a log line.</summary>
    private const string Marker = "c3VwZXJzZWNyZXQtbWFya2Vy";

    private static string PodWithSecretEnv(bool labelled) => $$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"leaky","namespace":"shop"{{{(labelled ? ",\"labels\":{\"team\":\"a\"}" : string.Empty)}}}},
         "spec":{"containers":[{"name":"app","image":"app:1.0","env":[{"name":"TOKEN","value":"{{{Marker}}}"}]}]}}
        """;

    [Fact]
    public async Task Logs_at_debug_name_the_request_but_never_hold_the_object()
    {
        var logs = new CapturingLoggerProvider();
        var options = new ServerOptions
        {
            ConfigureLogging = logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(logs);
            },
        };
        await using (var server = await RunningServer.StartAsync(new TeamLabelReviewer(), serverOptions: options))
        {
            await server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(PodWithSecretEnv(labelled: true), uid: "logged-allowed"))));
            await server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(PodWithSecretEnv(labelled: false), uid: "logged-denied"))));
            await server.PostAsync("/mutate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(PodWithSecretEnv(labelled: false)))));
            var truncated = Encoding.UTF8.GetString(Reviews.Encode(Reviews.PodCreate(PodWithSecretEnv(labelled: false))));
            await server.PostAsync("/validate", Reviews.Json(truncated[..(truncated.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)]));
        }

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("logged-allowed", StringComparison.Ordinal) && l.Contains("allowed=True", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("logged-denied", StringComparison.Ordinal)
            && l.Contains("shop/leaky by alice@example.com", StringComparison.Ordinal) && l.Contains("pod leaky has no team label", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("answered 400", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_valid_and_malformed_reviews_each_get_their_own_answer()
    {
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer());
        var tasks = Enumerable.Range(0, 120).Select(async i =>
        {
            switch (i % 3)
            {
                case 0:
                {
                    var (status, body) = await server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam, uid: $"ok-{i}"))));
                    return status == 200 && body.GetProperty("response").GetProperty("uid").GetString() == $"ok-{i}" && body.GetProperty("response").GetProperty("allowed").GetBoolean();
                }

                case 1:
                {
                    var (status, body) = await server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithoutLabels, uid: $"no-{i}"), AdmissionReviewVersion.V1Beta1)));
                    return status == 200 && body.GetProperty("apiVersion").GetString() == AdmissionReviewJson.V1Beta1ApiVersion
                        && body.GetProperty("response").GetProperty("uid").GetString() == $"no-{i}" && !body.GetProperty("response").GetProperty("allowed").GetBoolean();
                }

                default:
                {
                    var (status, body) = await server.PostAsync("/validate", Reviews.Json("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":" + i + "}}"));
                    return status == 400 && body.GetProperty("details").GetProperty("causes")[0].GetProperty("field").GetString() == "$.request.uid";
                }
            }
        });
        Assert.All(await Task.WhenAll(tasks), Assert.True);
        var counters = server.Admission.Counters.Snapshot();
        Assert.Equal((80, 40, 40, 40), (counters.Validated, counters.Allowed, counters.Denied, counters.RejectedRequests));
    }
}
