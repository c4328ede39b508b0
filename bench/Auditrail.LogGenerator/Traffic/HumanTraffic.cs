using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// People using kubectl: sessions that start mostly in office hours (UTC), each a run of commands with think
/// time between them. Every request goes through the person's RBAC, so developers meet 403s outside their
/// namespaces and auditors whenever they try to change something.
/// </summary>
internal sealed partial class HumanTraffic : ScriptBase
{
    private readonly PodLifecycle _pods;
    private readonly (double Weight, Func<Human, IEnumerable<long>> Run)[] _commands;
    private readonly double _totalWeight;

    public HumanTraffic(Simulator sim, PodLifecycle pods)
        : base(sim)
    {
        _pods = pods;
        _commands =
        [
            (18, GetPods), (9, DescribePod), (9, Logs), (4, Exec), (2, PortForward), (4, Apply), (1.5, Scale),
            (2, Restart), (3, DeletePod), (3, EditConfigMap), (1, CreateSecret), (3, GetSecret), (2, GetNodes),
            (2, TopPods), (1, CanI), (1, WhoAmI), (3, GetAll), (1, Version), (2, WatchPods), (2, GetMissingPod),
            (0.5, CreateRoleBinding), (0.2, Drain), (2, GetNamespaces),
        ];
        _totalWeight = _commands.Sum(c => c.Weight);
    }

    public void Install()
    {
        foreach (var human in Cluster.Humans)
        {
            Sim.Start(Sessions(human), NextSession());
        }
    }

    private IEnumerable<long> Sessions(Human human)
    {
        while (true)
        {
            // kubectl caches discovery for hours; about half the sessions start with a stale cache.
            if (Rng.Chance(0.5))
            {
                Sim.Submit(Sim.PathRequest(human.Identity, "/api?timeout=32s"));
                Sim.Submit(Sim.PathRequest(human.Identity, "/apis?timeout=32s").After(Ms(Rng.Next(2, 9))));
                yield return Ms(Rng.Next(300, 1500));
            }

            var commands = Rng.Next(5, 40);
            for (var i = 0; i < commands; i++)
            {
                foreach (var step in PickCommand()(human))
                {
                    yield return step;
                }

                yield return Math.Max(Seconds(2), Rng.Exponential(Seconds(20)));
            }

            yield return NextSession();
        }
    }

    private Func<Human, IEnumerable<long>> PickCommand()
    {
        var roll = Rng.NextDouble() * _totalWeight;
        foreach (var (weight, run) in _commands)
        {
            roll -= weight;
            if (roll < 0)
            {
                return run;
            }
        }

        return _commands[0].Run;
    }

    /// <summary>Time to the next session: short gaps in office hours, long ones at night and at weekends.</summary>
    private long NextSession()
    {
        var (hour, weekend) = MicroTime.HourOfWeek(Sim.Now);
        var mean = weekend ? Minutes(360)
            : hour is >= 8 and < 18 ? Minutes(12)
            : hour is >= 6 and < 22 ? Minutes(90)
            : Minutes(360);
        return Math.Max(Minutes(1), Rng.Exponential(mean));
    }

    /// <summary>A kubectl request, authorized as the person's bindings would authorize it.</summary>
    private AuditRequest Kubectl(
        Human human, string verb, ApiResource resource, string? ns, string? name = null, string? subresource = null, string query = "")
    {
        var r = Sim.Request(human.Identity, verb, resource, ns, name, subresource, query);
        HumanAuthorization.Authorize(human, r);
        return r;
    }

    /// <summary>Developers mostly stay in their namespaces; admins and auditors look anywhere.</summary>
    private string Namespace(Human human) =>
        human.Role == HumanRole.Developer && Rng.Chance(0.85) ? Rng.Pick(human.Namespaces)
        : Rng.Chance(0.1) ? ClusterModel.KubeSystem
        : Rng.Pick(Cluster.AppNamespaces);

    private Workload? WorkloadIn(string ns)
    {
        var candidates = Cluster.Workloads.Where(w => w.Namespace == ns && w.Kind != WorkloadKind.CronJob).ToList();
        return candidates.Count == 0 ? null : Rng.Pick(candidates);
    }

    private PodModel? PodIn(string ns) => WorkloadIn(ns) is { Pods.Count: > 0 } workload ? Rng.Pick(workload.Pods) : null;
}
