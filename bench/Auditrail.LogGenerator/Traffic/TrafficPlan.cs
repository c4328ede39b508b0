using Auditrail.LogGenerator.Attacks;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>Starts every traffic source of the simulated cluster, in a fixed order so runs are reproducible.</summary>
internal static class TrafficPlan
{
    public static void Install(Simulator sim)
    {
        var pods = new PodLifecycle(sim);
        var controlPlane = new ControlPlaneTraffic(sim, pods);
        controlPlane.Install();
        new NodeTraffic(sim, controlPlane).Install();
        new WatchTraffic(sim).Install();
        pods.Install();
        new WorkloadTraffic(sim, controlPlane, pods).Install();
        new CiTraffic(sim, pods).Install();
        new HumanTraffic(sim, pods).Install();
        new AnonymousTraffic(sim).Install();
        new AttackTraffic(sim).Install();
    }
}
