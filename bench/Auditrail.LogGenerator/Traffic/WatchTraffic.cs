using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// Informers: every client-go controller keeps watches open and reopens each when the server closes it after
/// a random five to ten minutes. Each watch is a ResponseStarted event when it opens and a ResponseComplete
/// when it closes, minutes later, with the original requestReceivedTimestamp.
/// </summary>
internal sealed class WatchTraffic(Simulator sim) : ScriptBase(sim)
{
    private static readonly ApiResource[] ControllerManagerInformers =
    [
        Api.Pods, Api.Nodes, Api.Namespaces, Api.Services, Api.EndpointSlices, Api.Deployments, Api.ReplicaSets,
        Api.StatefulSets, Api.DaemonSets, Api.Jobs, Api.CronJobs, Api.ServiceAccounts, Api.Secrets, Api.ConfigMaps,
        Api.Leases, Api.PersistentVolumeClaims, Api.HorizontalPodAutoscalers, Api.PodDisruptionBudgets, Api.Roles,
        Api.RoleBindings, Api.ClusterRoles, Api.ClusterRoleBindings, Api.Ingresses, Api.NetworkPolicies,
    ];

    private static readonly ApiResource[] SchedulerInformers =
    [
        Api.Nodes, Api.Namespaces, Api.PersistentVolumeClaims, Api.PersistentVolumes, Api.PodDisruptionBudgets,
        Api.CsiDrivers, Api.Services,
    ];

    private static readonly ApiResource[] ApiserverInformers =
    [
        Api.Namespaces, Api.ClusterRoles, Api.ClusterRoleBindings, Api.Roles, Api.RoleBindings, Api.Services,
        Api.Endpoints, Api.ServiceAccounts,
    ];

    private static readonly ApiResource[] StateMetricsInformers =
    [
        Api.Pods, Api.Nodes, Api.Namespaces, Api.Services, Api.Deployments, Api.ReplicaSets, Api.StatefulSets,
        Api.DaemonSets, Api.Jobs, Api.CronJobs, Api.ConfigMaps, Api.Secrets, Api.PersistentVolumeClaims,
        Api.HorizontalPodAutoscalers, Api.Ingresses, Api.Leases,
    ];

    public void Install()
    {
        var managerAgent = Clients.Component("kube-controller-manager") + "/shared-informers";
        foreach (var resource in ControllerManagerInformers)
        {
            Watch(Cluster.ControllerManagers[0], resource, agent: managerAgent);
        }

        var schedulerAgent = Clients.Component("kube-scheduler") + "/scheduler";
        Watch(Cluster.Schedulers[0], Api.Pods, selector: FieldSelector("status.phase!=Succeeded,status.phase!=Failed"), agent: schedulerAgent);
        foreach (var resource in SchedulerInformers)
        {
            Watch(Cluster.Schedulers[0], resource, agent: schedulerAgent);
        }

        foreach (var apiserver in Cluster.Apiservers)
        {
            foreach (var resource in ApiserverInformers)
            {
                Watch(apiserver, resource);
            }
        }

        foreach (var node in Cluster.AllNodes)
        {
            var kubelet = node.Kubelet;
            Watch(kubelet, Api.Pods, selector: FieldSelector("spec.nodeName=" + node.Name));
            Watch(kubelet, Api.Nodes, selector: FieldSelector("metadata.name=" + node.Name));
            Watch(kubelet, Api.Services);
            Watch(kubelet, Api.CsiDrivers);
            Watch(kubelet, Api.RuntimeClasses);
        }

        const string ProxyServices = "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name";
        foreach (var proxy in Cluster.KubeProxy.Pods)
        {
            Watch(proxy.Identity, Api.Services, selector: LabelSelector(ProxyServices));
            Watch(proxy.Identity, Api.EndpointSlices, selector: LabelSelector(ProxyServices));
            Watch(proxy.Identity, Api.Nodes, selector: FieldSelector("metadata.name=" + proxy.Node.Name));
        }

        WatchAll(Cluster.CoreDns, Api.EndpointSlices, Api.Services, Api.Namespaces);
        WatchAll(Cluster.Prometheus, Api.Pods, Api.Services, Api.EndpointSlices, Api.Nodes);
        WatchAll(Cluster.KubeStateMetrics, StateMetricsInformers);
        WatchAll(Cluster.CertManager, Api.Certificates, Api.CertificateRequests, Api.Secrets, Api.Ingresses);
        WatchAll(Cluster.ArgoCd, Api.Deployments, Api.Services, Api.ConfigMaps, Api.Secrets, Api.StatefulSets, Api.Ingresses);
        foreach (var controller in Cluster.IngressNginx.Pods)
        {
            Watch(controller.Identity, Api.Ingresses);
            Watch(controller.Identity, Api.IngressClasses);
            Watch(controller.Identity, Api.EndpointSlices);
            Watch(controller.Identity, Api.Secrets);
            Watch(controller.Identity, Api.ConfigMaps, ClusterModel.IngressNamespace);
        }

        foreach (var application in Cluster.ArgoCd.Pods)
        {
            Watch(application.Identity, Api.Applications, ClusterModel.ArgoCdNamespace);
        }
    }

    private void WatchAll(Workload workload, params ApiResource[] resources)
    {
        foreach (var pod in workload.Pods)
        {
            foreach (var resource in resources)
            {
                Watch(pod.Identity, resource);
            }
        }
    }

    private void Watch(Identity who, ApiResource resource, string? ns = null, string selector = "", string? agent = null) =>
        Sim.Start(Informer(who, resource, ns, selector, agent), Rng.NextLong(0, Minutes(10)));

    private IEnumerable<long> Informer(Identity who, ApiResource resource, string? ns, string selector, string? agent)
    {
        while (true)
        {
            var timeout = Rng.Next(300, 600);
            var r = Sim.Request(who, Verbs.Watch, resource, ns, query: WatchQuery(selector, timeout));
            r.UserAgent = agent;
            r.DurationMicros = Seconds(timeout);
            Sim.Submit(r);

            // A tenth of a percent of reopened watches find their resourceVersion compacted away and relist.
            if (Rng.Chance(0.001))
            {
                Sim.Submit(Sim.Request(who, Verbs.List, resource, ns, query: "?limit=500&resourceVersion=0").After(Ms(5)));
            }

            yield return Seconds(timeout) + Ms(Rng.Next(1, 200));
        }
    }
}
