using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>The kubectl commands people run, each as the requests kubectl sends for it.</summary>
internal sealed partial class HumanTraffic
{
    private static readonly ApiResource[] GetAllResources =
    [
        Api.Pods, Api.Services, Api.DaemonSets, Api.Deployments, Api.ReplicaSets, Api.StatefulSets,
        Api.HorizontalPodAutoscalers, Api.CronJobs, Api.Jobs,
    ];

    private IEnumerable<long> GetPods(Human human)
    {
        Sim.Submit(Kubectl(human, Verbs.List, Api.Pods, Namespace(human), query: "?limit=500"));
        yield break;
    }

    /// <summary>kubectl describe pod: the pod, then the events about it.</summary>
    private IEnumerable<long> DescribePod(Human human)
    {
        if (PodIn(Namespace(human)) is not { } pod)
        {
            yield break;
        }

        Sim.Submit(Kubectl(human, Verbs.Get, Api.Pods, pod.Namespace, pod.Name));
        var events = FieldSelector($"involvedObject.name={pod.Name},involvedObject.namespace={pod.Namespace},involvedObject.uid={pod.Uid}");
        Sim.Submit(Kubectl(human, Verbs.List, Api.Events, pod.Namespace, query: "?" + events[1..] + "&limit=500").After(Ms(Rng.Next(3, 12))));
    }

    private IEnumerable<long> Logs(Human human)
    {
        if (PodIn(Namespace(human)) is not { } pod)
        {
            yield break;
        }

        var follow = Rng.Chance(0.3);
        var r = Kubectl(human, Verbs.Get, Api.Pods, pod.Namespace, pod.Name, "log",
            $"?container={pod.Workload.Container}" + (follow ? "&follow=true" : "&tailLines=100"));
        if (follow)
        {
            r.DurationMicros = Minutes(Rng.Next(1, 15));
        }

        Sim.Submit(r);
    }

    /// <summary>kubectl exec -it: a long-running request answered with 101 Switching Protocols.</summary>
    private IEnumerable<long> Exec(Human human)
    {
        if (PodIn(Namespace(human)) is not { } pod)
        {
            yield break;
        }

        var shell = Rng.Chance(0.7) ? "sh" : "bash";
        Sim.Submit(Stream(human, pod, "exec", $"?command={shell}&container={pod.Workload.Container}&stdin=true&stdout=true&tty=true"));
    }

    private IEnumerable<long> PortForward(Human human)
    {
        if (PodIn(Namespace(human)) is not { } pod)
        {
            yield break;
        }

        Sim.Submit(Stream(human, pod, "portforward", ""));
    }

    private AuditRequest Stream(Human human, PodModel pod, string subresource, string query)
    {
        var r = Kubectl(human, Clients.StreamVerb(human.KubectlBuild, subresource), Api.Pods, pod.Namespace, pod.Name, subresource, query);
        if (!r.Failed)
        {
            r.Code = 101;
        }

        return r;
    }

    /// <summary>kubectl apply of a new image: GET, then the client-side-apply patch, then the rollout.</summary>
    private IEnumerable<long> Apply(Human human)
    {
        if (Deployment(human) is not { } workload)
        {
            yield break;
        }

        var ns = workload.Namespace;
        Sim.Submit(Kubectl(human, Verbs.Get, Api.Deployments, ns, workload.Name));
        yield return Ms(Rng.Next(10, 60));
        var patch = Kubectl(human, Verbs.Patch, Api.Deployments, ns, workload.Name, query: "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict");
        patch.Workload = workload;
        if (patch.Failed)
        {
            Sim.Submit(patch);
            yield break;
        }

        patch.Body = DeploymentBody.Apply;
        if (Rng.Chance(0.05))
        {
            Sim.Submit(patch.Invalid("spec.template.spec.containers[0].resources.requests",
                "FieldValueInvalid", "Invalid value: \"2Gi\": must be less than or equal to memory limit of 512Mi"));
            yield break;
        }

        workload.ImageTag = WorkloadTraffic.NextVersion(workload.ImageTag);
        Sim.Submit(patch);
        _pods.Rollout(workload);
    }

    private IEnumerable<long> Scale(Human human)
    {
        if (Deployment(human) is not { } workload)
        {
            yield break;
        }

        var replicas = Math.Clamp(workload.Replicas + Rng.Next(-1, 3), 1, 8);
        var r = Kubectl(human, Verbs.Patch, Api.Deployments, workload.Namespace, workload.Name, "scale");
        r.Workload = workload;
        r.Variant = replicas;
        if (!r.Failed)
        {
            r.Body = ScaleBody.Instance;
            _pods.Scale(workload, replicas);
        }

        Sim.Submit(r);
    }

    private IEnumerable<long> Restart(Human human)
    {
        if (Deployment(human) is not { } workload)
        {
            yield break;
        }

        var r = Kubectl(human, Verbs.Patch, Api.Deployments, workload.Namespace, workload.Name, query: "?fieldManager=kubectl-rollout");
        r.Workload = workload;
        if (!r.Failed)
        {
            r.Body = DeploymentBody.Restart;
            _pods.Rollout(workload);
        }

        Sim.Submit(r);
    }

    private IEnumerable<long> DeletePod(Human human)
    {
        if (PodIn(Namespace(human)) is not { } pod || pod.Workload.Kind is WorkloadKind.Static or WorkloadKind.DaemonSet)
        {
            yield break;
        }

        var delete = Kubectl(human, Verbs.Delete, Api.Pods, pod.Namespace, pod.Name);
        delete.Pod = pod;
        if (!delete.Failed)
        {
            delete.Body = PodBody.Delete;
            _pods.Replace(pod, human.Identity, deleteSent: true);
        }

        Sim.Submit(delete);
    }

    /// <summary>kubectl edit: GET, then a PUT with the uid and resourceVersion just read; sometimes too late (409).</summary>
    private IEnumerable<long> EditConfigMap(Human human)
    {
        var ns = Namespace(human);
        if (WorkloadIn(ns) is not { } workload)
        {
            yield break;
        }

        Sim.Submit(Kubectl(human, Verbs.Get, Api.ConfigMaps, ns, workload.ConfigMapName));
        yield return Seconds(Rng.Next(15, 180));
        var update = Update(human.Identity, Api.ConfigMaps, ns, workload.ConfigMapName, conflictShare: 0.05);
        HumanAuthorization.Authorize(human, update);
        update.Workload = workload;
        update.Variant = Rng.Next(0, 80);
        update.Body = ConfigMapBody.Instance;
        Sim.Submit(update);
    }

    private IEnumerable<long> CreateSecret(Human human)
    {
        var ns = Namespace(human);
        if (WorkloadIn(ns) is not { } workload)
        {
            yield break;
        }

        var r = Kubectl(human, Verbs.Create, Api.Secrets, ns, query: "?fieldManager=kubectl-create&fieldValidation=Strict");
        r.BodyName = workload.Name + "-api-key";
        r.Body = SecretBody.Instance;
        Sim.Submit(Rng.Chance(0.1) && !r.Failed ? r.AlreadyExists() : r);
    }

    private IEnumerable<long> GetSecret(Human human)
    {
        var ns = Namespace(human);
        if (WorkloadIn(ns) is { } workload)
        {
            Sim.Submit(Kubectl(human, Verbs.Get, Api.Secrets, ns, workload.SecretName));
        }

        yield break;
    }

    private IEnumerable<long> GetNodes(Human human)
    {
        Sim.Submit(Kubectl(human, Verbs.List, Api.Nodes, null, query: "?limit=500"));
        yield break;
    }

    private IEnumerable<long> TopPods(Human human)
    {
        Sim.Submit(Kubectl(human, Verbs.List, Api.PodMetrics, Namespace(human)));
        yield break;
    }

    /// <summary>kubectl auth can-i: a SelfSubjectAccessReview with the question and the answer.</summary>
    private IEnumerable<long> CanI(Human human)
    {
        var ns = Namespace(human);
        var r = Kubectl(human, Verbs.Create, Api.SelfSubjectAccessReviews, null);
        var allowed = human.Role != HumanRole.Auditor && (human.Role == HumanRole.Admin || Array.IndexOf(human.Namespaces, ns) >= 0);
        r.Body = new SelfSubjectAccessReviewBody(ns, Verbs.Create, "apps", "deployments", allowed, allowed ? human.Identity.AllowReason : "");
        Sim.Submit(r);
        yield break;
    }

    private IEnumerable<long> WhoAmI(Human human)
    {
        var r = Kubectl(human, Verbs.Create, Api.SelfSubjectReviews, null);
        r.Body = SelfSubjectReviewBody.Instance;
        Sim.Submit(r);
        yield break;
    }

    /// <summary>kubectl get all: one list per resource type it knows.</summary>
    private IEnumerable<long> GetAll(Human human)
    {
        var ns = Namespace(human);
        var delay = 0L;
        foreach (var resource in GetAllResources)
        {
            Sim.Submit(Kubectl(human, Verbs.List, resource, ns, query: "?limit=500").After(delay));
            delay += Ms(Rng.Next(4, 20));
        }

        yield break;
    }

    private IEnumerable<long> Version(Human human)
    {
        Sim.Submit(Sim.PathRequest(human.Identity, "/version?timeout=32s"));
        yield break;
    }

    /// <summary>kubectl get pods -w: a list, then a watch held open until the person presses Ctrl-C.</summary>
    private IEnumerable<long> WatchPods(Human human)
    {
        var ns = Namespace(human);
        Sim.Submit(Kubectl(human, Verbs.List, Api.Pods, ns, query: "?limit=500"));
        yield return Ms(Rng.Next(5, 30));
        var watch = Kubectl(human, Verbs.Watch, Api.Pods, ns, query: $"?resourceVersion={Sim.CurrentResourceVersion}&watch=true");
        watch.DurationMicros = Seconds(Rng.Next(20, 300));
        Sim.Submit(watch);
    }

    private IEnumerable<long> GetMissingPod(Human human)
    {
        var ns = Namespace(human);
        if (WorkloadIn(ns) is not { } workload)
        {
            yield break;
        }

        var r = Kubectl(human, Verbs.Get, Api.Pods, ns, workload.Name + "-" + Rng.Suffix(5));
        Sim.Submit(r.Failed ? r : r.NotFound());
    }

    private IEnumerable<long> CreateRoleBinding(Human human)
    {
        var ns = Rng.Pick(Cluster.AppNamespaces);
        var r = Kubectl(human, Verbs.Create, Api.RoleBindings, ns, query: "?fieldManager=kubectl-create&fieldValidation=Strict");
        r.BodyName = "team-" + ns + "-edit";
        r.Body = new BindingBody(Api.RoleBindings, "ClusterRole", "edit", new Subject("Group", "oidc:team-" + ns));
        Sim.Submit(r);
        yield break;
    }

    /// <summary>kubectl drain: cordon the node, then evict what runs on it.</summary>
    private IEnumerable<long> Drain(Human human)
    {
        var node = Cluster.PickWorker();
        var cordon = Kubectl(human, Verbs.Patch, Api.Nodes, null, node.Name);
        cordon.Node = node;
        if (cordon.Failed)
        {
            Sim.Submit(cordon);
            yield break;
        }

        cordon.Body = CordonBody.Instance;
        Sim.Submit(cordon);
        yield return Ms(Rng.Next(200, 800));
        foreach (var pod in node.Pods.Where(p => p.Workload.Kind is WorkloadKind.Deployment or WorkloadKind.StatefulSet).ToArray())
        {
            _pods.Evict(pod, human.Identity);
            yield return Ms(Rng.Next(20, 200));
        }
    }

    private IEnumerable<long> GetNamespaces(Human human)
    {
        Sim.Submit(Kubectl(human, Verbs.List, Api.Namespaces, null, query: "?limit=500"));
        yield break;
    }

    private Workload? Deployment(Human human) =>
        WorkloadIn(human.Role == HumanRole.Developer ? Rng.Pick(human.Namespaces) : Rng.Pick(Cluster.AppNamespaces)) is { Kind: WorkloadKind.Deployment } workload
            ? workload
            : null;
}
