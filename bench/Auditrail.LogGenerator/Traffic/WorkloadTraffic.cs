using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// Service accounts at work: applications reading their configuration, workers holding leader leases,
/// Prometheus scraping the apiserver, cert-manager renewing certificates, Argo CD refreshing and syncing.
/// </summary>
internal sealed class WorkloadTraffic(Simulator sim, ControlPlaneTraffic controlPlane, PodLifecycle pods) : ScriptBase(sim)
{
    public void Install()
    {
        var misconfigured = true;
        foreach (var workload in Cluster.AppWorkloads)
        {
            // One application keeps listing pods it has no right to: the steady 403 every cluster has.
            var listsPods = workload.Container == "consumer" && misconfigured;
            misconfigured &= !listsPods;
            Sim.Start(Application(workload, Seconds(Rng.Next(20, 120)), listsPods), Rng.NextLong(0, Minutes(2)));
            if (workload.LeaderElection)
            {
                StartLease(workload, workload.Name + "-leader", Seconds(5));
            }

            Sim.Start(SyncSecret(workload), Rng.NextLong(0, Minutes(60)));
        }

        StartLease(Cluster.CertManager, "cert-manager-controller", Seconds(15));
        StartLease(Cluster.IngressNginx, "ingress-nginx-leader", Seconds(10));
        foreach (var scraper in Cluster.Prometheus.Pods)
        {
            Sim.Start(ScrapeApiserver(scraper), Rng.NextLong(0, Seconds(30)));
        }

        Sim.Start(RenewCertificates(), Minutes(Rng.Next(1, 30)));
        Sim.Start(GitOps(), Seconds(Rng.Next(1, 180)));
    }

    private void StartLease(Workload workload, string lease, long period)
    {
        var holder = workload.Pods[0];
        Sim.Start(controlPlane.Lease(holder.Identity, workload.Namespace, lease, period, leader: true, holder), Rng.NextLong(0, period));
    }

    /// <summary>An application reading its ConfigMap and Secret; optional config is sometimes absent (404).</summary>
    private IEnumerable<long> Application(Workload workload, long period, bool listsPods)
    {
        var ns = workload.Namespace;
        while (true)
        {
            if (workload.Pods.Count > 0)
            {
                var who = Rng.Pick(workload.Pods).Identity;
                var roll = Rng.NextDouble();
                if (listsPods && roll < 0.3)
                {
                    Sim.Submit(Sim.Request(who, Verbs.List, Api.Pods, ns, query: "?labelSelector=" + RequestUris.Escape("app.kubernetes.io/part-of=" + ns)).Forbid());
                }
                else if (roll < 0.75)
                {
                    var optional = Rng.Chance(0.03);
                    var r = Sim.Request(who, Verbs.Get, Api.ConfigMaps, ns, optional ? workload.Name + "-overrides" : workload.ConfigMapName);
                    Sim.Submit(optional ? r.NotFound() : r);
                }
                else
                {
                    Sim.Submit(Sim.Request(who, Verbs.Get, Api.Secrets, ns, workload.SecretName));
                }
            }

            yield return Jitter(period, 0.3);
        }
    }

    /// <summary>
    /// External Secrets refreshes each application's Secret from the vault hourly and rewrites it when the value
    /// was rotated; in the full-body namespace that puts Secret data into the log.
    /// </summary>
    private IEnumerable<long> SyncSecret(Workload workload)
    {
        while (true)
        {
            var who = Cluster.ExternalSecrets.Pods[0].Identity;
            if (Rng.Chance(0.25))
            {
                var secret = Update(who, Api.Secrets, workload.Namespace, workload.SecretName);
                secret.Body = SecretBody.Instance;
                Sim.Submit(secret);
            }

            Sim.Submit(Update(who, Api.ExternalSecrets, workload.Namespace, workload.SecretName, "status").After(Ms(4)));
            yield return Jitter(Minutes(60), 0.02);
        }
    }

    /// <summary>Prometheus scrapes the apiserver's /metrics every 30 seconds.</summary>
    private IEnumerable<long> ScrapeApiserver(PodModel scraper)
    {
        while (true)
        {
            var r = Sim.PathRequest(scraper.Identity, "/metrics");
            r.Reason = scraper.Workload.AllowReason;
            r.LatencyMicros = Ms(Rng.Next(15, 120));
            Sim.Submit(r);
            yield return Jitter(Seconds(30), 0.01);
        }
    }

    /// <summary>cert-manager renewing a certificate: a CertificateRequest, then the TLS Secret rewritten.</summary>
    private IEnumerable<long> RenewCertificates()
    {
        while (true)
        {
            var who = Rng.Pick(Cluster.CertManager.Pods).Identity;
            var ns = Rng.Pick(Cluster.AppNamespaces);
            var certificate = ns + "-tls";
            Sim.Submit(Sim.Request(who, Verbs.Get, Api.Certificates, ns, certificate));
            var request = Sim.Request(who, Verbs.Create, Api.CertificateRequests, ns).After(Ms(4));
            request.BodyName = certificate + "-" + Rng.Next(1, 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Sim.Submit(request);
            yield return Seconds(Rng.Next(2, 8));
            var secret = Update(who, Api.Secrets, ns, certificate);
            secret.Variant = 1;
            secret.Body = SecretBody.Instance;
            Sim.Submit(secret);
            Sim.Submit(Update(who, Api.Certificates, ns, certificate, "status").After(Ms(6)));
            yield return Rng.Exponential(Minutes(20));
        }
    }

    /// <summary>
    /// Argo CD refreshes each application's live state every three minutes and, now and then, syncs a new
    /// image: an apply patch followed by the rollout it triggers.
    /// </summary>
    private IEnumerable<long> GitOps()
    {
        var syncs = 0;
        while (true)
        {
            var who = Cluster.ArgoCd.Pods[0].Identity;
            foreach (var ns in Cluster.AppNamespaces)
            {
                Sim.Submit(Sim.Request(who, Verbs.List, Api.Deployments, ns, query: "?limit=500"));
                Sim.Submit(Sim.Request(who, Verbs.List, Api.ConfigMaps, ns, query: "?limit=500").After(Ms(2)));
                yield return Ms(Rng.Next(50, 400));
            }

            if (++syncs % 5 == 0)
            {
                var workload = Rng.Pick(Cluster.AppWorkloads);
                if (workload.Kind == WorkloadKind.Deployment)
                {
                    workload.ImageTag = NextVersion(workload.ImageTag);
                    var patch = Sim.Request(who, Verbs.Patch, Api.Deployments, workload.Namespace, workload.Name, query: "?fieldManager=argocd-controller");
                    patch.Workload = workload;
                    patch.Body = DeploymentBody.Apply;
                    Sim.Submit(patch);
                    pods.Rollout(workload);
                }
            }

            yield return Jitter(Minutes(3), 0.05);
        }
    }

    /// <summary>Bumps the patch number of a semantic version tag.</summary>
    public static string NextVersion(string tag)
    {
        var dot = tag.LastIndexOf('.');
        return dot > 0 && int.TryParse(tag.AsSpan(dot + 1), System.Globalization.CultureInfo.InvariantCulture, out var patch)
            ? string.Concat(tag.AsSpan(0, dot + 1), (patch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : tag + ".1";
    }
}
