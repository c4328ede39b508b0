using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;
using Auditrail.LogGenerator.Traffic;

namespace Auditrail.LogGenerator.Attacks;

/// <summary>Attacks from outside: guessing credentials, scanning, and credentials used from the wrong place.</summary>
internal sealed partial class AttackTraffic
{
    private static readonly (string Verb, ApiResource Resource, string? Namespace)[] BruteForceTargets =
    [
        (Verbs.List, Api.Secrets, ClusterModel.KubeSystem),
        (Verbs.List, Api.Pods, null),
        (Verbs.List, Api.Namespaces, null),
        (Verbs.List, Api.Deployments, null),
        (Verbs.List, Api.Secrets, "default"),
        (Verbs.List, Api.ClusterRoleBindings, null),
    ];

    private static readonly string[] ScannedPaths = ["/", "/version", "/healthz", "/api", "/apis", "/metrics", "/openapi/v2", "/.env", "/swagger.json", "/logs"];

    /// <summary>
    /// Bursts of guessed bearer tokens (or basic auth) from one outside address. The apiserver audits each
    /// failure as a single ResponseStarted event with an empty user and code 401.
    /// </summary>
    private IEnumerable<long> BruteForce()
    {
        var sourceIps = OutsideAddress();
        var agent = Rng.Pick(Clients.AttackTools.AsSpan(0, 3).ToArray());
        var method = Rng.Chance(0.85) ? "bearer" : "basic";
        var attempts = Rng.Next(20, 80);
        for (var i = 0; i < attempts; i++)
        {
            var (verb, resource, ns) = Rng.Pick(BruteForceTargets);
            Sim.Submit(From(Sim.Request(null, verb, resource, ns, query: "?limit=500").FailAuthentication(method), sourceIps, agent));
            yield return Ms(Rng.Next(80, 900));
        }
    }

    /// <summary>An internet scanner: public-info paths answer, everything else is forbidden to system:anonymous.</summary>
    private IEnumerable<long> AnonymousProbe()
    {
        var sourceIps = OutsideAddress();
        var agent = Rng.Pick(Clients.Scanners);
        var probes = Rng.Next(6, 20);
        for (var i = 0; i < probes; i++)
        {
            AuditRequest r;
            if (Rng.Chance(0.6))
            {
                var path = Rng.Pick(ScannedPaths);
                r = Sim.PathRequest(Cluster.Anonymous, path);
                if (path is not ("/version" or "/healthz"))
                {
                    r.Forbid();
                }
            }
            else
            {
                var (verb, resource, ns) = Rng.Pick(BruteForceTargets);
                r = Sim.Request(Cluster.Anonymous, verb, resource, ns).Forbid();
            }

            Sim.Submit(From(r, sourceIps, agent));
            yield return Ms(Rng.Next(50, 2000));
        }
    }

    /// <summary>
    /// A pod's projected token replayed with curl from outside. The token's claims still name the pod and its
    /// node (user.extra), which is what gives it away next to the foreign source address.
    /// </summary>
    private IEnumerable<long> StolenToken()
    {
        var pod = PickAppPod();
        var who = pod.Identity;
        var ns = pod.Namespace;
        var sourceIps = OutsideAddress();
        const string Agent = "curl/8.5.0";
        Sim.Submit(From(Sim.PathRequest(who, "/api"), sourceIps, Agent));
        yield return Seconds(Rng.Next(1, 10));
        Sim.Submit(From(Sim.PathRequest(who, "/apis"), sourceIps, Agent));
        yield return Seconds(Rng.Next(1, 10));
        var rules = From(Sim.Request(who, Verbs.Create, Api.SelfSubjectRulesReviews, null), sourceIps, Agent);
        rules.Reason = HumanAuthorization.BasicUserReason;
        rules.Body = new SelfSubjectRulesReviewBody(ns, broad: false);
        Sim.Submit(rules);
        var requests = Rng.Next(6, 18);
        for (var i = 0; i < requests; i++)
        {
            yield return Seconds(Rng.Next(2, 40));
            var r = Rng.Next(5) switch
            {
                0 => Sim.Request(who, Verbs.List, Api.Pods, ns),
                1 => Sim.Request(who, Verbs.Get, Api.Secrets, ns, pod.Workload.SecretName),
                2 => Sim.Request(who, Verbs.List, Api.Secrets, ns).Forbid(),
                3 => Sim.Request(who, Verbs.List, Api.Namespaces, null).Forbid(),
                _ => Sim.Request(who, Verbs.Get, Api.ConfigMaps, ns, pod.Workload.ConfigMapName),
            };
            Sim.Submit(From(r, sourceIps, Agent));
        }
    }

    /// <summary>
    /// A person's credentials (a stolen kubeconfig) used from an address outside the VPN, with a kubectl build
    /// the person does not use: broad reads, most of which their RBAC refuses.
    /// </summary>
    private IEnumerable<long> UnexpectedSource()
    {
        var human = Rng.Pick(Cluster.Humans);
        var sourceIps = OutsideAddress();
        var agent = Clients.KubectlAgent((human.KubectlBuild + 1 + Rng.Next(Clients.Kubectl.Length - 1)) % Clients.Kubectl.Length);
        var whoami = From(Sim.Request(human.Identity, Verbs.Create, Api.SelfSubjectReviews, null), sourceIps, agent);
        HumanAuthorization.Authorize(human, whoami);
        whoami.Body = SelfSubjectReviewBody.Instance;
        Sim.Submit(whoami);
        var requests = Rng.Next(10, 25);
        for (var i = 0; i < requests; i++)
        {
            yield return Seconds(Rng.Next(1, 20));
            var ns = Rng.Pick(Cluster.AllNamespaces);
            var r = Rng.Next(6) switch
            {
                0 => Sim.Request(human.Identity, Verbs.List, Api.Pods, null, query: "?limit=500"),
                1 => Sim.Request(human.Identity, Verbs.List, Api.Secrets, ns, query: "?limit=500"),
                2 => Sim.Request(human.Identity, Verbs.List, Api.ConfigMaps, ns, query: "?limit=500"),
                3 => Sim.Request(human.Identity, Verbs.List, Api.Nodes, null, query: "?limit=500"),
                4 => Sim.Request(human.Identity, Verbs.List, Api.Namespaces, null, query: "?limit=500"),
                _ => Sim.Request(human.Identity, Verbs.List, Api.ServiceAccounts, ns, query: "?limit=500"),
            };
            HumanAuthorization.Authorize(human, r);
            Sim.Submit(From(r, sourceIps, agent));
        }
    }
}
