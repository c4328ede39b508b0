using System.Globalization;
using Auditrail.LogGenerator.Infrastructure;

namespace Auditrail.LogGenerator.Simulation;

/// <summary>How long requests take: stageTimestamp minus requestReceivedTimestamp.</summary>
internal static class Latency
{
    private const long Ms = 1000;

    /// <summary>
    /// The apiserver's long-running check: watch and proxy verbs, and the attach, exec, proxy, log and
    /// portforward subresources. Those emit ResponseStarted when headers go out and ResponseComplete at the end.
    /// </summary>
    public static bool IsLongRunning(AuditRequest r) =>
        r.Verb is Verbs.Watch or "proxy" || r.Subresource is "exec" or "attach" or "portforward" or "log" or "proxy";

    public static long Sample(AuditRequest r, Rng rng)
    {
        if (r.FailedAuthentication)
        {
            return rng.NextLong(40, 400);
        }

        if (r.Resource is null || (r.Failed && r.Code != 409 && r.Code != 422))
        {
            return rng.NextLong(150, 2 * Ms);
        }

        var (low, high) = r.Verb switch
        {
            Verbs.Get => (600L, 6 * Ms),
            Verbs.List => (2 * Ms, 40 * Ms),
            Verbs.Watch => (800L, 4 * Ms),
            Verbs.DeleteCollection => (20 * Ms, 300 * Ms),
            _ when r.Subresource is "exec" or "attach" or "portforward" => (15 * Ms, 80 * Ms),
            _ => (3 * Ms, 25 * Ms),
        };
        var latency = rng.NextLong(low, high);

        // A small tail of slow requests, as every real log has: big lists and writes stuck behind etcd.
        if (rng.Chance(0.02))
        {
            latency *= rng.Next(5, r.Verb == Verbs.List ? 60 : 20);
        }

        return latency;
    }

    public static long SampleDuration(AuditRequest r, Rng rng) => r.Subresource switch
    {
        "exec" or "attach" => rng.NextLong(5 * MicroTime.PerSecond, 20 * MicroTime.PerMinute),
        "portforward" => rng.NextLong(MicroTime.PerMinute, 45 * MicroTime.PerMinute),
        "log" => rng.NextLong(30 * Ms, 900 * Ms),
        "proxy" => rng.NextLong(8 * Ms, 250 * Ms),
        _ => rng.NextLong(5 * MicroTime.PerMinute, 10 * MicroTime.PerMinute),
    };

    /// <summary>Requests slower than 500ms carry apiserver.latency.k8s.io annotations with a breakdown.</summary>
    public static void Annotate(AuditRequest r)
    {
        if (r.LatencyMicros < 500 * Ms || r.Resource is null || r.Failed)
        {
            return;
        }

        var etcd = r.LatencyMicros * 7 / 10;
        var serialize = r.LatencyMicros / 5;
        r.Annotate("apiserver.latency.k8s.io/etcd", GoDuration(etcd))
            .Annotate("apiserver.latency.k8s.io/serialize-response-object", GoDuration(serialize))
            .Annotate("apiserver.latency.k8s.io/response-write", GoDuration(r.LatencyMicros / 50))
            .Annotate("apiserver.latency.k8s.io/total", GoDuration(r.LatencyMicros));
    }

    /// <summary>Go's time.Duration.String for microsecond values: <c>512.345ms</c>, <c>1.2345s</c>.</summary>
    public static string GoDuration(long micros)
    {
        var (unit, scale) = micros >= MicroTime.PerSecond ? ("s", MicroTime.PerSecond) : ("ms", Ms);
        var whole = micros / scale;
        var fraction = micros % scale;
        if (fraction == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture) + unit;
        }

        var digits = scale == Ms ? 3 : 6;
        var text = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return string.Create(CultureInfo.InvariantCulture, $"{whole}.{text}{unit}");
    }
}
