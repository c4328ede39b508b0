using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// Shared helpers for traffic scripts. A script is an iterator: it submits the requests of one step and
/// yields the number of microseconds until its next step.
/// </summary>
internal abstract class ScriptBase(Simulator sim)
{
    protected Simulator Sim { get; } = sim;

    protected Rng Rng => Sim.Rng;

    protected ClusterModel Cluster => Sim.Cluster;

    protected static long Ms(double milliseconds) => (long)(milliseconds * 1000);

    protected static long Seconds(double seconds) => (long)(seconds * MicroTime.PerSecond);

    protected static long Minutes(double minutes) => (long)(minutes * MicroTime.PerMinute);

    /// <summary>A period plus or minus a fraction of it, so periodic clients drift apart as real ones do.</summary>
    protected long Jitter(long period, double fraction = 0.1)
    {
        var spread = (long)(period * fraction);
        return period + Rng.NextLong(-spread, spread + 1);
    }

    /// <summary>
    /// A PUT of an existing object: the body carries its uid and the resourceVersion read a moment ago, which the
    /// audit layer copies into objectRef. A small share lose the optimistic-concurrency race.
    /// </summary>
    protected AuditRequest Update(Identity who, ApiResource resource, string? ns, string name, string? subresource = null, double conflictShare = 0.01)
    {
        var r = Sim.Request(who, Verbs.Update, resource, ns, name, subresource);
        r.ObjectUid = Uuid.FromName(resource.Resource + "/" + ns + "/" + name).ToString();
        r.ObjectResourceVersion = Sim.CurrentResourceVersion - Rng.Next(1, 20_000);
        if (Rng.Chance(conflictShare))
        {
            r.Conflict();
        }

        return r;
    }

    /// <summary>The query string client-go's reflector sends when it (re)opens a watch.</summary>
    protected string WatchQuery(string selector, long timeoutSeconds) =>
        $"?allowWatchBookmarks=true{selector}&resourceVersion={Sim.CurrentResourceVersion - Rng.Next(0, 5000)}"
        + $"&timeout={timeoutSeconds / 60}m{timeoutSeconds % 60}s&timeoutSeconds={timeoutSeconds}&watch=true";

    protected static string FieldSelector(string expression) => "&fieldSelector=" + RequestUris.Escape(expression);

    protected static string LabelSelector(string expression) => "&labelSelector=" + RequestUris.Escape(expression);
}
