using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// Unauthenticated requests a healthy cluster always has: the kubelet's liveness and readiness probes of each
/// apiserver, and a load balancer's health check. system:public-info-viewer allows them.
/// </summary>
internal sealed class AnonymousTraffic(Simulator sim) : ScriptBase(sim)
{
    public void Install()
    {
        foreach (var node in Cluster.ControlPlane)
        {
            var probe = Identity.RenderSourceIps(node.Ip);
            Sim.Start(Probe("/livez", probe, Clients.ProbeAgent, Seconds(10)), Rng.NextLong(0, Seconds(10)));
            Sim.Start(Probe("/readyz", probe, Clients.ProbeAgent, Seconds(10)), Rng.NextLong(0, Seconds(10)));
        }

        Sim.Start(Probe("/healthz", Identity.RenderSourceIps("10.0.0.5"), "ELB-HealthChecker/2.0", Seconds(30)), Rng.NextLong(0, Seconds(30)));
        Sim.Start(Probe("/healthz", Identity.RenderSourceIps("10.0.0.6"), "ELB-HealthChecker/2.0", Seconds(30)), Rng.NextLong(0, Seconds(30)));
    }

    private IEnumerable<long> Probe(string path, byte[] sourceIps, string agent, long period)
    {
        while (true)
        {
            var r = Sim.PathRequest(Cluster.Anonymous, path);
            r.SourceIpsJson = sourceIps;
            r.UserAgent = agent;
            Sim.Submit(r);
            yield return Jitter(period, 0.01);
        }
    }
}
