using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// The steady hum of the control plane: leader election, apiserver identity leases and endpoint reconciling,
/// discovery by the quota and garbage-collector controllers, HPA evaluation and CronJob schedules.
/// </summary>
internal sealed class ControlPlaneTraffic(Simulator sim, PodLifecycle pods) : ScriptBase(sim)
{
    public void Install()
    {
        for (var i = 0; i < Cluster.ControlPlane.Length; i++)
        {
            // Instance 0 holds both leases; the others retry, which means a GET every retry period.
            Sim.Start(Lease(Cluster.ControllerManagers[i], ClusterModel.KubeSystem, "kube-controller-manager", Seconds(2), i == 0), Rng.NextLong(0, Seconds(2)));
            Sim.Start(Lease(Cluster.Schedulers[i], ClusterModel.KubeSystem, "kube-scheduler", Seconds(2), i == 0), Rng.NextLong(0, Seconds(2)));
            Sim.Start(ApiserverHeartbeat(Cluster.Apiservers[i]), Rng.NextLong(0, Seconds(10)));
        }

        Sim.Start(Discovery(Cluster.Controller("resourcequota-controller")), Rng.NextLong(0, Seconds(30)));
        Sim.Start(Discovery(Cluster.Controller("generic-garbage-collector")), Rng.NextLong(0, Seconds(30)));
        foreach (var workload in Cluster.AppWorkloads)
        {
            if (workload.HasHpa)
            {
                Sim.Start(Autoscaler(workload), Rng.NextLong(0, Seconds(15)));
            }
        }

        foreach (var (cronJob, period) in Cluster.CronJobs)
        {
            Sim.Start(CronSchedule(cronJob, period), Rng.NextLong(0, period));
        }
    }

    /// <summary>
    /// Leader election on a Lease: the holder renews with an update every period, candidates read it. The
    /// update carries the lease's uid and last resourceVersion, so successive renewals chain.
    /// </summary>
    public IEnumerable<long> Lease(Identity who, string ns, string lease, long period, bool leader, PodModel? pod = null)
    {
        var uid = Rng.NextUuid().ToString();
        var resourceVersion = Sim.CurrentResourceVersion;
        var query = "?timeout=" + (period >= Seconds(5) ? "10s" : "5s");
        while (true)
        {
            var r = Sim.Request(who, leader ? Verbs.Update : Verbs.Get, Api.Leases, ns, lease, query: query);
            r.Pod = pod;
            if (leader)
            {
                r.ObjectUid = uid;
                r.ObjectResourceVersion = resourceVersion;
                r.Body = LeaseBody.Instance;
                if (Rng.Chance(0.002))
                {
                    r.Conflict();
                }
            }

            Sim.Submit(r);
            if (r.NewResourceVersion > 0)
            {
                resourceVersion = r.NewResourceVersion;
            }

            yield return Jitter(period, 0.05);
        }
    }

    /// <summary>
    /// Each apiserver renews its identity lease and reconciles the default/kubernetes Service's endpoints
    /// every ten seconds, as system:apiserver over loopback.
    /// </summary>
    private IEnumerable<long> ApiserverHeartbeat(Identity apiserver)
    {
        var lease = "apiserver-" + Rng.Suffix(26, "abcdefghijklmnopqrstuvwxyz234567");
        foreach (var step in Lease(apiserver, ClusterModel.KubeSystem, lease, Seconds(10), leader: true))
        {
            Sim.Submit(Sim.Request(apiserver, Verbs.Get, Api.Endpoints, "default", "kubernetes").After(Ms(1)));
            Sim.Submit(Sim.Request(apiserver, Verbs.Get, Api.EndpointSlices, "default", "kubernetes").After(Ms(2)));
            yield return step;
        }
    }

    /// <summary>The quota and garbage-collector controllers re-read aggregated discovery every 30 seconds.</summary>
    private IEnumerable<long> Discovery(Identity controller)
    {
        while (true)
        {
            Sim.Submit(Sim.PathRequest(controller, "/api"));
            Sim.Submit(Sim.PathRequest(controller, "/apis").After(Ms(1)));
            yield return Jitter(Seconds(30), 0.02);
        }
    }

    /// <summary>The HPA controller, every 15 seconds: read the scale, read pod metrics, now and then resize.</summary>
    private IEnumerable<long> Autoscaler(Workload workload)
    {
        var hpa = Cluster.Controller("horizontal-pod-autoscaler");
        var selector = "?labelSelector=" + RequestUris.Escape("app.kubernetes.io/name=" + workload.Label);
        while (true)
        {
            Sim.Submit(Sim.Request(hpa, Verbs.Get, Api.Deployments, workload.Namespace, workload.Name, "scale"));
            Sim.Submit(Sim.Request(hpa, Verbs.List, Api.PodMetrics, workload.Namespace, query: selector).After(Ms(3)));
            if (Rng.Chance(0.01))
            {
                var replicas = Math.Clamp(workload.Replicas + (Rng.Chance(0.5) ? 1 : -1), 2, 8);
                var scale = Sim.Request(hpa, Verbs.Update, Api.Deployments, workload.Namespace, workload.Name, "scale");
                scale.Workload = workload;
                scale.Variant = replicas;
                scale.Body = ScaleBody.Instance;
                Sim.Submit(scale.After(Ms(8)));
                pods.Scale(workload, replicas);
            }

            if (Rng.Chance(0.05))
            {
                Sim.Submit(Sim.Request(hpa, Verbs.Update, Api.HorizontalPodAutoscalers, workload.Namespace, workload.Name, "status").After(Ms(12)));
            }

            yield return Jitter(Seconds(15), 0.02);
        }
    }

    /// <summary>A CronJob firing: the Job, its pod's life, status updates, then TTL clean-up of both.</summary>
    private IEnumerable<long> CronSchedule(Workload cronJob, long period)
    {
        var cronController = Cluster.Controller("cronjob-controller");
        var jobController = Cluster.Controller("job-controller");
        while (true)
        {
            var job = cronJob.Name + "-" + ((Sim.Now / 60_000_000) % 100_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var create = Sim.Request(cronController, Verbs.Create, Api.Jobs, cronJob.Namespace);
            create.BodyName = job;
            create.Workload = cronJob;
            create.Body = JobBody.Instance;
            Sim.Submit(create);
            Sim.Submit(Sim.Request(cronController, Verbs.Update, Api.CronJobs, cronJob.Namespace, cronJob.Name, "status").After(Ms(9)));
            yield return Ms(Rng.Next(20, 120));
            var pod = Cluster.AddPod(cronJob, Cluster.PickWorker(), Sim.Now, job + "-" + Rng.Suffix(5));
            foreach (var step in pods.Start(pod))
            {
                yield return step;
            }

            yield return Seconds(Rng.Next(10, 240));
            pods.Finish(pod);
            yield return Ms(Rng.Next(200, 900));
            Sim.Submit(Sim.Request(jobController, Verbs.Update, Api.Jobs, cronJob.Namespace, job, "status"));
            yield return Seconds(100);
            var ttl = Cluster.Controller("ttl-after-finished-controller");
            var delete = Sim.Request(ttl, Verbs.Delete, Api.Jobs, cronJob.Namespace, job);
            delete.DeletedUid = JobBody.JobUid(cronJob, job);
            delete.Body = DeleteOptionsBody.Instance;
            Sim.Submit(delete);
            pods.Delete(pod, Cluster.Controller("generic-garbage-collector"));
            yield return Math.Max(Seconds(1), period - (Sim.Now % period));
        }
    }
}
