using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// What every kubelet does: renew its node lease every ten seconds, report node status every five minutes,
/// ask the apiserver to authenticate and authorize the scrapers that call it, and refresh pod tokens.
/// </summary>
internal sealed class NodeTraffic(Simulator sim, ControlPlaneTraffic controlPlane) : ScriptBase(sim)
{
    public void Install()
    {
        foreach (var node in Cluster.AllNodes)
        {
            Sim.Start(controlPlane.Lease(node.Kubelet, "kube-node-lease", node.Name, Seconds(10), leader: true), Rng.NextLong(0, Seconds(10)));
            Sim.Start(NodeStatus(node), Rng.NextLong(0, Minutes(5)));
            Sim.Start(DelegatedAuth(node), Rng.NextLong(0, Minutes(2)));
        }

        Sim.Start(TokenRefresh(), Seconds(Rng.Next(1, 30)));
    }

    /// <summary>GET the node, then PATCH nodes/status; about once an hour the patch also lists the node's images.</summary>
    private IEnumerable<long> NodeStatus(NodeModel node)
    {
        var reports = Rng.Next(0, 12);
        while (true)
        {
            Sim.Submit(Sim.Request(node.Kubelet, Verbs.Get, Api.Nodes, null, node.Name, query: "?resourceVersion=0&timeout=10s"));
            var patch = Sim.Request(node.Kubelet, Verbs.Patch, Api.Nodes, null, node.Name, "status", "?timeout=10s").After(Ms(3));
            patch.Node = node;
            patch.Variant = reports++ % 12 == 0 ? 1 : 0;
            patch.Body = NodeStatusPatchBody.Instance;
            Sim.Submit(patch);
            yield return Jitter(Minutes(5), 0.05);
        }
    }

    /// <summary>
    /// Prometheus scrapes each kubelet directly; the kubelet checks the bearer token with a TokenReview (cached
    /// two minutes) and the permission with a SubjectAccessReview (cached five).
    /// </summary>
    private IEnumerable<long> DelegatedAuth(NodeModel node)
    {
        var rounds = 0;
        while (true)
        {
            foreach (var scraper in Cluster.Prometheus.Pods)
            {
                var review = Sim.Request(node.Kubelet, Verbs.Create, Api.TokenReviews, null);
                review.Body = new TokenReviewBody(scraper.Identity);
                Sim.Submit(review);
                if (rounds % 5 < 2)
                {
                    var access = Sim.Request(node.Kubelet, Verbs.Create, Api.SubjectAccessReviews, null).After(Ms(2));
                    access.Body = new SubjectAccessReviewBody(scraper.Identity, node.Name, scraper.Workload.AllowReason);
                    Sim.Submit(access);
                }
            }

            rounds++;
            yield return Jitter(Minutes(2), 0.05);
        }
    }

    /// <summary>Kubelets renew projected service account tokens at 80% of their hour: one TokenRequest per pod per ~48 minutes.</summary>
    private IEnumerable<long> TokenRefresh()
    {
        while (true)
        {
            var workload = Rng.Pick(Cluster.Workloads);
            if (workload.Kind != WorkloadKind.Static && workload.Pods.Count > 0)
            {
                var pod = Rng.Pick(workload.Pods);
                var r = Sim.Request(pod.Node.Kubelet, Verbs.Create, Api.ServiceAccounts, pod.Namespace, workload.ServiceAccount, "token");
                r.Pod = pod;
                r.Body = TokenRequestBody.Instance;
                Sim.Submit(r);
            }

            var pods = Math.Max(1, Cluster.Workloads.Sum(w => w.Pods.Count));
            yield return Rng.Exponential(Minutes(48) / pods);
        }
    }
}
