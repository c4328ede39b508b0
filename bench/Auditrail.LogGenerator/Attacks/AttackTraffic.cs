using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;
using Auditrail.LogGenerator.Traffic;

namespace Auditrail.LogGenerator.Attacks;

/// <summary>
/// Injects attack scenarios so that their events make up the configured share of the log. Each scenario is a
/// script; every request it makes is marked with its kind and scenario number (see the attack labels). The
/// scheduler steers by the events scheduled so far, starting a scenario whenever attacks fall behind.
/// </summary>
internal sealed partial class AttackTraffic(Simulator sim) : ScriptBase(sim)
{
    private static readonly AttackKind[] Kinds = Enum.GetValues<AttackKind>();

    public void Install()
    {
        if (Sim.Options.AttackShare > 0)
        {
            Sim.Start(Scheduler(), Seconds(Rng.Next(5, 60)));
        }
    }

    /// <summary>
    /// Starts a scenario whenever attacks are behind their share, counting each running scenario as about ten
    /// events still to come (scenarios average twenty, spread over minutes). That estimate keeps the scheduler
    /// from piling scenarios up while their events are on the way, whatever the cluster's event rate.
    /// </summary>
    private IEnumerable<long> Scheduler()
    {
        const int ExpectedOutstanding = 10;
        var share = Sim.Options.AttackShare;
        while (true)
        {
            var started = 0;
            while (started < 10 && Sim.ScheduledAttackEvents + ((long)Sim.ActiveAttacks * ExpectedOutstanding) < share * Sim.ScheduledEvents)
            {
                var kind = Rng.Pick(Kinds);
                Sim.StartAttack(Scenario(kind), kind);
                started++;
            }

            yield return started > 0 ? Ms(Rng.Next(200, 1000)) : Seconds(Rng.Next(2, 15));
        }
    }

    private IEnumerable<long> Scenario(AttackKind kind) => kind switch
    {
        AttackKind.BruteForce => BruteForce(),
        AttackKind.SecretEnumeration => SecretEnumeration(),
        AttackKind.PrivilegeEscalation => PrivilegeEscalation(),
        AttackKind.ExecIntoSystemPod => ExecIntoSystemPods(),
        AttackKind.UnexpectedSource => UnexpectedSource(),
        AttackKind.Impersonation => Impersonation(),
        AttackKind.StolenToken => StolenToken(),
        _ => AnonymousProbe(),
    };

    /// <summary>A request from somewhere else than the identity usually connects from, with another client.</summary>
    private static AuditRequest From(AuditRequest r, byte[] sourceIps, string agent)
    {
        r.SourceIpsJson = sourceIps;
        r.UserAgent = agent;
        return r;
    }

    private byte[] OutsideAddress() => Identity.RenderSourceIps(Names.OutsideAddress(Rng));

    private Human PickHuman(HumanRole role) =>
        Cluster.Humans.FirstOrDefault(h => h.Role == role && Rng.Chance(0.5)) ?? Cluster.Humans.FirstOrDefault(h => h.Role == role) ?? Cluster.Humans[0];

    private PodModel PickAppPod() => Rng.Pick(Cluster.AppWorkloads.SelectMany(w => w.Pods).ToList());
}
