using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// Pods coming and going, with every component that takes part: the owning controller creates the pod (through
/// Pod Security Admission and mutating webhooks), the scheduler binds it, the kubelet reports its status, the
/// endpoint controllers follow; deletion runs the same way back. Rollouts and scaling are built from these.
/// </summary>
internal sealed class PodLifecycle(Simulator sim) : ScriptBase(sim)
{
    private const string MeshMutation =
        """{"configuration":"istio-sidecar-injector","webhook":"namespace.sidecar-injector.istio.io","mutated":true}""";

    private static readonly string MeshPatch = ObjectJson.Json(
        "{'configuration':'istio-sidecar-injector','webhook':'namespace.sidecar-injector.istio.io',"
        + "'patch':[{'op':'add','path':'/metadata/annotations',"
        + "'value':{'sidecar.istio.io/status':'{`containers`:[`istio-proxy`],`revision`:`default`}'}},"
        + "{'op':'add','path':'/spec/containers/1','value':{'name':'istio-proxy',"
        + "'image':'docker.io/istio/proxyv2:1.23.2'}}],'patchType':'JSONPatch'}");

    private const string PolicyMutation =
        """{"configuration":"kyverno-resource-mutating-webhook-cfg","webhook":"mutate.kyverno.svc-fail","mutated":false}""";

    public void Install() => Sim.Start(Churn(), Seconds(Rng.Next(1, 60)));

    /// <summary>Pods of application workloads get replaced now and then: crashes, evictions, spot nodes.</summary>
    private IEnumerable<long> Churn()
    {
        while (true)
        {
            var workload = Rng.Pick(Cluster.AppWorkloads);
            if (workload.Pods.Count > 0)
            {
                Replace(Rng.Pick(workload.Pods));
            }

            yield return Rng.Exponential(Seconds(45));
        }
    }

    /// <summary>Adds a pod to the workload on some worker and plays its start as its own script.</summary>
    public PodModel Spawn(Workload workload, string? name = null, long delay = 0)
    {
        var pod = Cluster.AddPod(workload, Cluster.PickWorker(), Sim.Now + delay, name);
        Sim.Start(Start(pod), delay);
        return pod;
    }

    /// <summary>A pod's start, from the controller's create to the endpoint update once it is ready.</summary>
    public IEnumerable<long> Start(PodModel pod)
    {
        var workload = pod.Workload;
        var ns = workload.Namespace;
        var create = Sim.Request(Cluster.Controller(workload.PodController), Verbs.Create, Api.Pods, ns);
        create.BodyName = workload.Kind == WorkloadKind.StatefulSet ? pod.Name : null;
        create.Pod = pod;
        create.Workload = workload;
        create.Body = PodBody.Create;
        Admit(create, pod);
        Sim.Submit(create);
        yield return Ms(Rng.Next(4, 40));

        var scheduler = Cluster.Schedulers[0];
        var agent = Clients.Component("kube-scheduler") + "/scheduler";
        var bind = Sim.Request(scheduler, Verbs.Create, Api.Pods, ns, pod.Name, "binding");
        bind.Pod = pod;
        bind.Body = PodBindingBody.Instance;
        bind.UserAgent = agent;
        Sim.Submit(bind);
        var scheduled = Sim.Request(scheduler, Verbs.Create, Api.EventsV1, ns).After(Ms(2));
        scheduled.UserAgent = agent;
        Sim.Submit(scheduled);
        yield return Ms(Rng.Next(400, 2500));

        PatchStatus(pod, PodPhaseChange.ContainerCreating);
        yield return Seconds(Rng.Next(2, 15));
        PatchStatus(pod, PodPhaseChange.Running);
        Sim.Submit(Sim.Request(pod.Node.Kubelet, Verbs.Create, Api.Events, ns).After(Ms(1)));
        yield return Ms(Rng.Next(100, 1500));
        EndpointsChanged(workload);
    }

    /// <summary>The kubelet reporting that a run-to-completion pod has finished.</summary>
    public void Finish(PodModel pod) => PatchStatus(pod, PodPhaseChange.Terminated);

    /// <summary>Deletes a pod; the model forgets it at once so callers can count on it, the requests play out after.</summary>
    /// <param name="deleteSent">True when the caller has already submitted the delete request itself.</param>
    public void Delete(PodModel pod, Identity actor, bool deleteSent = false)
    {
        if (!pod.Workload.Pods.Contains(pod))
        {
            return;
        }

        ClusterModel.RemovePod(pod);
        Sim.Start(Deletion(pod, actor, !deleteSent));
    }

    /// <summary>
    /// kubectl drain's eviction: the eviction request deletes the pod inside the apiserver, so the log shows the
    /// eviction, then the kubelet's clean-up and the controller's replacement.
    /// </summary>
    public void Evict(PodModel pod, Identity actor)
    {
        var eviction = Sim.Request(actor, Verbs.Create, Api.Pods, pod.Namespace, pod.Name, "eviction");
        eviction.Body = EvictionBody.Instance;
        Sim.Submit(eviction);
        ClusterModel.RemovePod(pod);
        Sim.Start(Deletion(pod, actor, sendDelete: false));
        Spawn(pod.Workload, pod.Workload.Kind == WorkloadKind.StatefulSet ? pod.Name : null, Ms(Rng.Next(5, 60)));
    }

    /// <summary>A pod deleted by someone and replaced by its controller.</summary>
    public void Replace(PodModel old, Identity? actor = null, bool deleteSent = false)
    {
        var workload = old.Workload;
        Delete(old, actor ?? Cluster.Controller(workload.PodController), deleteSent);
        Spawn(workload, workload.Kind == WorkloadKind.StatefulSet ? old.Name : null, Ms(Rng.Next(5, 60)));
    }

    /// <summary>The controller converging on a new replica count.</summary>
    public void Scale(Workload workload, int replicas)
    {
        workload.Replicas = replicas;
        var controller = Cluster.Controller(workload.PodController);
        while (workload.Pods.Count < replicas)
        {
            Spawn(workload, delay: Ms(Rng.Next(20, 500)));
        }

        while (workload.Pods.Count > replicas)
        {
            Delete(workload.Pods[^1], controller);
        }
    }

    public void Rollout(Workload workload) => Sim.Start(RollingUpdate(workload), Ms(Rng.Next(5, 50)));

    /// <summary>
    /// A Deployment rolling update: a new ReplicaSet, pods created one at a time, the old ones removed as the new
    /// become ready, status written along the way.
    /// </summary>
    private IEnumerable<long> RollingUpdate(Workload workload)
    {
        var deployments = Cluster.Controller("deployment-controller");
        var replicaSets = Cluster.Controller("replicaset-controller");
        var ns = workload.Namespace;
        var oldReplicaSet = workload.ReplicaSetName;
        workload.TemplateHash = Rng.Suffix(10);
        workload.ReplicaSetUid = Rng.NextUuid();
        workload.Revision++;
        workload.Generation++;
        var create = Sim.Request(deployments, Verbs.Create, Api.ReplicaSets, ns);
        create.BodyName = workload.ReplicaSetName;
        create.Workload = workload;
        create.Variant = 1;
        create.Body = ReplicaSetBody.Instance;
        Sim.Submit(create);
        DeploymentStatus(workload, deployments);
        yield return Ms(Rng.Next(50, 200));

        var old = workload.Pods.ToArray();
        for (var i = 0; i < old.Length; i++)
        {
            Spawn(workload);
            var grow = Update(deployments, Api.ReplicaSets, ns, workload.ReplicaSetName, conflictShare: 0.03);
            grow.Workload = workload;
            grow.Variant = i + 1;
            grow.Body = ReplicaSetBody.Instance;
            Sim.Submit(grow);
            yield return Seconds(Rng.Next(4, 14));
            Sim.Submit(Update(deployments, Api.ReplicaSets, ns, oldReplicaSet, conflictShare: 0.03));
            Delete(old[i], replicaSets);
            yield return Ms(Rng.Next(300, 3000));
        }

        DeploymentStatus(workload, deployments);
    }

    private void DeploymentStatus(Workload workload, Identity deployments)
    {
        var status = Update(deployments, Api.Deployments, workload.Namespace, workload.Name, "status", conflictShare: 0.03).After(Ms(6));
        status.ObjectUid = workload.Uid.ToString();
        status.Workload = workload;
        status.Body = DeploymentBody.Status;
        Sim.Submit(status);
    }

    /// <summary>The requests of a deletion; the delete itself may have been sent elsewhere (an eviction, kubectl).</summary>
    private IEnumerable<long> Deletion(PodModel pod, Identity actor, bool sendDelete)
    {
        var ns = pod.Namespace;
        if (sendDelete)
        {
            var delete = Sim.Request(actor, Verbs.Delete, Api.Pods, ns, pod.Name);
            delete.Pod = pod;
            delete.Body = PodBody.Delete;
            Sim.Submit(delete);
        }

        yield return Ms(Rng.Next(300, 3000));
        EndpointsChanged(pod.Workload);
        yield return Seconds(Rng.Next(1, 30));
        PatchStatus(pod, PodPhaseChange.Terminated);
        yield return Ms(Rng.Next(50, 500));

        // The kubelet removes the object for good once the containers are gone.
        var final = Sim.Request(pod.Node.Kubelet, Verbs.Delete, Api.Pods, ns, pod.Name);
        final.Pod = pod;
        final.Body = PodBody.Delete;
        Sim.Submit(final);
    }

    private void PatchStatus(PodModel pod, PodPhaseChange change)
    {
        var patch = Sim.Request(pod.Node.Kubelet, Verbs.Patch, Api.Pods, pod.Namespace, pod.Name, "status");
        patch.Pod = pod;
        patch.Variant = (int)change;
        patch.Body = PodStatusPatchBody.Instance;
        Sim.Submit(patch);
    }

    private void EndpointsChanged(Workload workload)
    {
        if (workload.Port == 0 || workload.Kind == WorkloadKind.CronJob)
        {
            return;
        }

        var ns = workload.Namespace;
        Sim.Submit(Update(Cluster.Controller("endpointslice-controller"), Api.EndpointSlices, ns, workload.Name + "-" + workload.Uid.ToString()[..5]));
        Sim.Submit(Update(Cluster.Controller("endpoint-controller"), Api.Endpoints, ns, workload.Name).After(Ms(2)));
    }

    /// <summary>
    /// Admission leaves its mark in annotations: the Pod Security level enforced (or the exemption), and each
    /// mutating webhook called, with the JSON patch it applied.
    /// </summary>
    private void Admit(AuditRequest create, PodModel pod)
    {
        var ns = pod.Namespace;
        if (Cluster.PodSecurityLevel(ns) is { } level)
        {
            create.Annotate("pod-security.kubernetes.io/enforce-policy", level);
        }
        else
        {
            create.Annotate("pod-security.kubernetes.io/exempt", "namespace");
        }

        if (pod.Injected)
        {
            create.Annotate("mutation.webhook.admission.k8s.io/round_0_index_0", MeshMutation)
                .Annotate("patch.webhook.admission.k8s.io/round_0_index_0", MeshPatch);
            create.LatencyMicros = Ms(Rng.Next(25, 90));
        }
        else if (Array.IndexOf(Cluster.AppNamespaces, ns) >= 0)
        {
            create.Annotate("mutation.webhook.admission.k8s.io/round_0_index_0", PolicyMutation);
            create.LatencyMicros = Ms(Rng.Next(12, 45));
        }
    }
}
