using System.Globalization;
using Auditrail.LogGenerator.Infrastructure;

namespace Auditrail.LogGenerator.Model;

internal sealed partial class ClusterModel
{
    private static readonly (string Tier, WorkloadKind Kind, int Port)[] Tiers =
    [
        ("api", WorkloadKind.Deployment, 8080),
        ("worker", WorkloadKind.Deployment, 9090),
        ("web", WorkloadKind.Deployment, 3000),
        ("cache", WorkloadKind.StatefulSet, 6379),
        ("consumer", WorkloadKind.Deployment, 9090),
        ("gateway", WorkloadKind.Deployment, 8443),
    ];

    private static readonly long[] CronPeriods = [5 * MicroTime.PerMinute, 10 * MicroTime.PerMinute, 15 * MicroTime.PerMinute, 30 * MicroTime.PerMinute];

    public PodModel AddPod(Workload workload, NodeModel node, long createdMicros, string? name = null)
    {
        name ??= workload.Kind switch
        {
            WorkloadKind.Deployment => workload.ReplicaSetName + "-" + _rng.Suffix(5),
            WorkloadKind.StatefulSet => workload.Name + "-" + workload.Pods.Count.ToString(CultureInfo.InvariantCulture),
            WorkloadKind.Static => workload.Name + "-" + node.Name,
            _ => workload.Name + "-" + _rng.Suffix(5),
        };
        var uid = _rng.NextUuid();
        var ip = workload.HostNetwork ? node.Ip : PodIp(node);
        var identity = new Identity(
            Identity.ServiceAccountUser(workload.Namespace, workload.ServiceAccount),
            workload.ServiceAccountUid.ToString(),
            Identity.ServiceAccountGroups(workload.Namespace),
            TrafficKind.ServiceAccount,
            workload.UserAgent,
            ip,
            workload.AllowReason,
            [
                new("authentication.kubernetes.io/credential-id", "JTI=" + _rng.NextUuid()),
                new("authentication.kubernetes.io/node-name", node.Name),
                new("authentication.kubernetes.io/node-uid", node.Uid.ToString()),
                new("authentication.kubernetes.io/pod-name", name),
                new("authentication.kubernetes.io/pod-uid", uid.ToString()),
            ]);
        var pod = new PodModel
        {
            Name = name,
            Uid = uid,
            Workload = workload,
            Node = node,
            Ip = ip,
            Identity = identity,
            CreatedMicros = createdMicros,
            Injected = HasSidecarInjection(workload.Namespace),
        };
        workload.Pods.Add(pod);
        node.Pods.Add(pod);
        return pod;
    }

    /// <summary>A short-lived workload CI deploys into a preview namespace; it has no pods until they are scaled up.</summary>
    public Workload AddPreview(string ns)
    {
        var name = "preview-web";
        var workload = Define(ns, name, WorkloadKind.Deployment, "registry.example.com/" + Names.Pick(Names.Namespaces, 11, "team-") + "/web",
            string.Create(CultureInfo.InvariantCulture, $"1.{_rng.Next(30)}.{_rng.Next(10)}-pr"), 3000, 0, _rng.Pick(Clients.Libraries),
            $"RBAC: allowed by RoleBinding \"{name}/{ns}\" of Role \"{name}\" to ServiceAccount \"{name}/{ns}\"", container: "web");
        return workload;
    }

    public void RemoveWorkload(Workload workload) => Workloads.Remove(workload);

    public static void RemovePod(PodModel pod)
    {
        pod.Workload.Pods.Remove(pod);
        pod.Node.Pods.Remove(pod);
    }

    /// <summary>Pod CIDR 10.128.0.0/9, one /24 per node, addresses handed out round-robin.</summary>
    private static string PodIp(NodeModel node)
    {
        var host = node.NextPodHost;
        node.NextPodHost = host >= 253 ? 2 : host + 1;
        return string.Create(CultureInfo.InvariantCulture, $"10.{128 + (node.Index / 256)}.{node.Index % 256}.{host}");
    }

    private void BuildSystemWorkloads(long startMicros)
    {
        const string ClientGoUnstamped = "(linux/amd64) kubernetes/$Format";
        CoreDns = Define(KubeSystem, "coredns", WorkloadKind.Deployment, "registry.k8s.io/coredns/coredns", "v1.11.3", 53, 2,
            "coredns/v1.11.3 " + ClientGoUnstamped, ClusterBinding("system:coredns", "coredns", KubeSystem));
        KubeProxy = Define(KubeSystem, "kube-proxy", WorkloadKind.DaemonSet, "registry.k8s.io/kube-proxy", Clients.KubernetesVersion, 0, 0,
            Clients.Component("kube-proxy"), ClusterBinding("system:node-proxier", "kube-proxy", KubeSystem, "kubeadm:node-proxier"), privileged: true);
        Define(KubeSystem, "metrics-server", WorkloadKind.Deployment, "registry.k8s.io/metrics-server/metrics-server", "v0.7.2", 10250, 1,
            "metrics-server/v0.7.2 " + ClientGoUnstamped, ClusterBinding("system:metrics-server", "metrics-server", KubeSystem));
        Prometheus = Define(Monitoring, "prometheus-k8s", WorkloadKind.StatefulSet, "quay.io/prometheus/prometheus", "v2.54.1", 9090, 2,
            "Prometheus/2.54.1", ClusterBinding("prometheus-k8s", "prometheus-k8s", Monitoring), container: "prometheus");
        KubeStateMetrics = Define(Monitoring, "kube-state-metrics", WorkloadKind.Deployment, "registry.k8s.io/kube-state-metrics/kube-state-metrics", "v2.13.0", 8080, 1,
            "kube-state-metrics/v2.13.0 " + ClientGoUnstamped, ClusterBinding("kube-state-metrics", "kube-state-metrics", Monitoring));
        Define(Monitoring, "node-exporter", WorkloadKind.DaemonSet, "quay.io/prometheus/node-exporter", "v1.8.2", 9100, 0,
            "Go-http-client/1.1", ClusterBinding("node-exporter", "node-exporter", Monitoring), privileged: true);
        IngressNginx = Define(IngressNamespace, "ingress-nginx-controller", WorkloadKind.Deployment, "registry.k8s.io/ingress-nginx/controller", "v1.11.2", 80, 2,
            "nginx-ingress-controller/v1.11.2 (linux/amd64) ingress-nginx/46e76e5916813cfca2a9b0bfdc34b69a0000f6b9",
            ClusterBinding("ingress-nginx", "ingress-nginx", IngressNamespace), serviceAccount: "ingress-nginx", container: "controller");
        CertManager = Define(CertManagerNamespace, "cert-manager", WorkloadKind.Deployment, "quay.io/jetstack/cert-manager-controller", "v1.15.3", 9402, 1,
            "cert-manager-controller/v1.15.3 (linux/amd64) cert-manager/4486c01f726f17d2790a8a563ae6bc6e98465505",
            ClusterBinding("cert-manager-controller-certificates", "cert-manager", CertManagerNamespace), container: "cert-manager-controller");
        ArgoCd = Define(ArgoCdNamespace, "argocd-application-controller", WorkloadKind.StatefulSet, "quay.io/argoproj/argocd", "v2.12.4", 8082, 1,
            "argocd-application-controller/v2.12.4+27d1e64 " + ClientGoUnstamped,
            ClusterBinding("argocd-application-controller", "argocd-application-controller", ArgoCdNamespace));
        Define(ArgoCdNamespace, "argocd-server", WorkloadKind.Deployment, "quay.io/argoproj/argocd", "v2.12.4", 8080, 2,
            "argocd-server/v2.12.4+27d1e64 " + ClientGoUnstamped, ClusterBinding("argocd-server", "argocd-server", ArgoCdNamespace));
        CiRunner = Define(CiNamespace, "ci-runner", WorkloadKind.Deployment, "ghcr.io/actions/actions-runner", "2.319.1", 0, 2,
            Clients.Component("kubectl"), ClusterBinding("ci-deployer", "deployer", CiNamespace), serviceAccount: "deployer", container: "runner");
        ExternalSecrets = Define(ExternalSecretsNamespace, "external-secrets", WorkloadKind.Deployment, "ghcr.io/external-secrets/external-secrets", "v0.10.4", 8080, 1,
            "external-secrets/v0.10.4 " + ClientGoUnstamped, ClusterBinding("external-secrets-controller", "external-secrets", ExternalSecretsNamespace),
            container: "external-secrets");
        foreach (var component in (string[])["kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler"])
        {
            var image = component == "etcd" ? "registry.k8s.io/etcd" : "registry.k8s.io/" + component;
            Define(KubeSystem, component, WorkloadKind.Static, image, component == "etcd" ? "3.5.15-0" : Clients.KubernetesVersion,
                0, 0, Clients.Component(component), "", serviceAccount: "default");
        }

        foreach (var workload in Workloads)
        {
            PopulatePods(workload, startMicros);
        }
    }

    private void BuildAppWorkloads(int perNamespace, long startMicros)
    {
        for (var n = 0; n < AppNamespaces.Length; n++)
        {
            var ns = AppNamespaces[n];
            for (var i = 0; i < perNamespace; i++)
            {
                var (tier, kind, port) = Tiers[i % Tiers.Length];
                var name = ns + "-" + tier + (i >= Tiers.Length ? "-" + (i / Tiers.Length).ToString(CultureInfo.InvariantCulture) : "");
                var cache = tier == "cache";
                var agent = tier == "worker" ? name + "/v0.0.0 (linux/amd64) kubernetes/$Format" : _rng.Pick(Clients.Libraries);
                var workload = Define(ns, name, kind,
                    cache ? "docker.io/library/redis" : "registry.example.com/" + ns + "/" + tier,
                    cache ? "7.2.5-alpine" : string.Create(CultureInfo.InvariantCulture, $"1.{_rng.Next(30)}.{_rng.Next(10)}"),
                    port, kind == WorkloadKind.StatefulSet ? _rng.Next(1, 4) : _rng.Next(2, 5), agent,
                    $"RBAC: allowed by RoleBinding \"{name}/{ns}\" of Role \"{name}\" to ServiceAccount \"{name}/{ns}\"",
                    hasHpa: tier is "api" or "web" && _rng.Chance(0.6), leaderElection: tier == "worker", container: tier);
                AppWorkloads.Add(workload);
                PopulatePods(workload, startMicros);
            }

            if (n % 2 == 0)
            {
                var task = n % 4 == 0 ? "report" : "cleanup";
                var name = ns + "-" + task;
                var cronJob = Define(ns, name, WorkloadKind.CronJob, "registry.example.com/" + ns + "/" + task,
                    string.Create(CultureInfo.InvariantCulture, $"1.{_rng.Next(30)}.{_rng.Next(10)}"), 0, 0, _rng.Pick(Clients.Libraries),
                    $"RBAC: allowed by RoleBinding \"{name}/{ns}\" of Role \"{name}\" to ServiceAccount \"{name}/{ns}\"", container: task);
                CronJobs.Add((cronJob, _rng.Pick(CronPeriods)));
            }
        }
    }

    private static string ClusterBinding(string role, string serviceAccount, string ns, string? binding = null) =>
        $"RBAC: allowed by ClusterRoleBinding \"{binding ?? role}\" of ClusterRole \"{role}\" to ServiceAccount \"{serviceAccount}/{ns}\"";

    private Workload Define(
        string ns, string name, WorkloadKind kind, string repository, string tag, int port, int replicas, string agent, string reason,
        bool privileged = false, string? serviceAccount = null, bool hasHpa = false, bool leaderElection = false, string? container = null)
    {
        var workload = new Workload
        {
            Namespace = ns,
            Name = name,
            Kind = kind,
            Container = container ?? name,
            ImageRepository = repository,
            ImageTag = tag,
            Port = port,
            ServiceAccount = serviceAccount ?? name,
            AllowReason = reason,
            UserAgent = agent,
            Uid = _rng.NextUuid(),
            ServiceAccountUid = _rng.NextUuid(),
            HostNetwork = privileged || kind == WorkloadKind.Static,
            Privileged = privileged,
            Replicas = replicas,
            HasHpa = hasHpa,
            LeaderElection = leaderElection,
            TemplateHash = _rng.Suffix(10),
            ReplicaSetUid = _rng.NextUuid(),
            Revision = _rng.Next(1, 40),
            Generation = _rng.Next(1, 60),
        };
        Workloads.Add(workload);
        return workload;
    }

    private void PopulatePods(Workload workload, long startMicros)
    {
        var nodes = workload.Kind switch
        {
            WorkloadKind.DaemonSet => AllNodes,
            WorkloadKind.Static => ControlPlane,
            _ => Enumerable.Range(0, workload.Replicas).Select(_ => PickWorker()).ToArray(),
        };
        workload.Replicas = nodes.Length;
        foreach (var node in nodes)
        {
            AddPod(workload, node, startMicros - _rng.NextLong(MicroTime.PerHour, 30 * MicroTime.PerDay));
        }
    }
}
