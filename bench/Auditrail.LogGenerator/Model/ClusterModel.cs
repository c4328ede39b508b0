using System.Globalization;
using Auditrail.LogGenerator.Infrastructure;

namespace Auditrail.LogGenerator.Model;

/// <summary>
/// The simulated cluster: nodes, namespaces, workloads and their pods, the people and the control plane.
/// Built once from the options and the seed; pods come and go as the traffic sources churn them.
/// </summary>
internal sealed partial class ClusterModel
{
    public const string KubeSystem = "kube-system";
    public const string Monitoring = "monitoring";
    public const string IngressNamespace = "ingress-nginx";
    public const string CertManagerNamespace = "cert-manager";
    public const string ArgoCdNamespace = "argocd";
    public const string CiNamespace = "ci";
    public const string ExternalSecretsNamespace = "external-secrets";

    private static readonly string[] ControllerNames =
    [
        "replicaset-controller", "deployment-controller", "daemon-set-controller", "statefulset-controller",
        "job-controller", "cronjob-controller", "endpointslice-controller", "endpoint-controller",
        "namespace-controller", "generic-garbage-collector", "horizontal-pod-autoscaler", "resourcequota-controller",
        "service-account-controller", "root-ca-cert-publisher", "ttl-after-finished-controller",
        "disruption-controller", "node-controller",
    ];

    private readonly Rng _rng;
    private readonly Dictionary<string, Identity> _controllers = new(StringComparer.Ordinal);

    public ClusterModel(GeneratorOptions options, Rng rng, long startMicros)
    {
        _rng = rng;
        ControlPlane = BuildNodes(options.ControlPlaneNodes, controlPlane: true, firstIndex: 0);
        Workers = BuildNodes(options.WorkerNodes, controlPlane: false, firstIndex: options.ControlPlaneNodes);
        AllNodes = [.. ControlPlane, .. Workers];
        AppNamespaces = Enumerable.Range(0, options.Namespaces).Select(i => Names.Pick(Names.Namespaces, i, "team-")).ToArray();
        SystemNamespaces =
        [
            KubeSystem, "kube-public", "kube-node-lease", "default", Monitoring, IngressNamespace, CertManagerNamespace,
            ArgoCdNamespace, CiNamespace, ExternalSecretsNamespace,
        ];
        AllNamespaces = [.. SystemNamespaces, .. AppNamespaces];

        ControllerManagers = ControlPlane.Select(n => ControlPlaneUser("system:kube-controller-manager", "kube-controller-manager", n)).ToArray();
        Schedulers = ControlPlane.Select(n => ControlPlaneUser("system:kube-scheduler", "kube-scheduler", n)).ToArray();
        Apiservers = ControlPlane.Select(_ => new Identity(
            "system:apiserver", rng.NextUuid().ToString(), [Identity.Authenticated, Identity.Masters], TrafficKind.ControlPlane,
            Clients.Component("kube-apiserver"), "::1", "")).ToArray();
        foreach (var name in ControllerNames)
        {
            _controllers[name] = ControllerIdentity(name);
        }

        Anonymous = new Identity("system:anonymous", null, ["system:unauthenticated"], TrafficKind.Anonymous,
            Clients.ProbeAgent, ControlPlane[0].Ip, PublicInfoReason);
        BuildSystemWorkloads(startMicros);
        BuildAppWorkloads(options.WorkloadsPerNamespace, startMicros);
        Humans = Enumerable.Range(0, options.Humans).Select(i => BuildHuman(i, options.Humans)).ToArray();
    }

    public NodeModel[] ControlPlane { get; }

    public NodeModel[] Workers { get; }

    public NodeModel[] AllNodes { get; }

    public string[] AppNamespaces { get; }

    public string[] SystemNamespaces { get; }

    public string[] AllNamespaces { get; }

    /// <summary>The namespace the simulated audit policy logs in full, Secret bodies included (see audit-policy.yaml).</summary>
    public string FullBodyNamespace => AppNamespaces[0];

    public Identity[] ControllerManagers { get; }

    public Identity[] Schedulers { get; }

    public Identity[] Apiservers { get; }

    public Identity Anonymous { get; }

    public Human[] Humans { get; }

    public List<Workload> Workloads { get; } = [];

    public List<Workload> AppWorkloads { get; } = [];

    /// <summary>Application CronJobs and how often they fire.</summary>
    public List<(Workload CronJob, long Period)> CronJobs { get; } = [];

    public Workload CoreDns { get; private set; } = null!;

    public Workload KubeProxy { get; private set; } = null!;

    public Workload Prometheus { get; private set; } = null!;

    public Workload KubeStateMetrics { get; private set; } = null!;

    public Workload IngressNginx { get; private set; } = null!;

    public Workload CertManager { get; private set; } = null!;

    public Workload ArgoCd { get; private set; } = null!;

    public Workload CiRunner { get; private set; } = null!;

    public Workload ExternalSecrets { get; private set; } = null!;

    public const string DiscoveryReason =
        "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"";

    public const string PublicInfoReason =
        "RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\"";

    public Identity Controller(string name) => _controllers[name];

    public NodeModel PickWorker() => _rng.Pick(Workers);

    /// <summary>The Pod Security Admission level enforced in a namespace; null where it is exempt.</summary>
    public string? PodSecurityLevel(string ns) => ns switch
    {
        KubeSystem => null,
        Monitoring or IngressNamespace => "privileged:latest",
        _ when Array.IndexOf(AppNamespaces, ns) is var i and >= 0 => i % 2 == 0 ? "restricted:latest" : "baseline:latest",
        _ => "baseline:latest",
    };

    /// <summary>Namespaces with sidecar injection, whose pod creates pass a mutating webhook.</summary>
    public bool HasSidecarInjection(string ns) => Array.IndexOf(AppNamespaces, ns) % 3 == 1;

    private NodeModel[] BuildNodes(int count, bool controlPlane, int firstIndex)
    {
        var nodes = new NodeModel[count];
        for (var i = 0; i < count; i++)
        {
            var subnet = controlPlane ? 0 : 1 + (i / 240);
            var host = 10 + (i % 240);
            var ip = string.Create(CultureInfo.InvariantCulture, $"10.0.{subnet}.{host}");
            var node = new NodeModel
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"ip-10-0-{subnet}-{host}.ec2.internal"),
                Ip = ip,
                Uid = _rng.NextUuid(),
                Index = firstIndex + i,
                ControlPlane = controlPlane,
            };
            node.Kubelet = new Identity("system:node:" + node.Name, null, ["system:nodes", Identity.Authenticated],
                TrafficKind.Node, Clients.Component("kubelet"), ip, "");
            nodes[i] = node;
        }

        return nodes;
    }

    private static Identity ControlPlaneUser(string user, string binary, NodeModel node) =>
        new(user, null, [Identity.Authenticated], TrafficKind.ControlPlane, Clients.Component(binary) + "/leader-election", node.Ip,
            $"RBAC: allowed by ClusterRoleBinding \"{user}\" of ClusterRole \"{user}\" to User \"{user}\"");

    private Identity ControllerIdentity(string name) => new(
        Identity.ServiceAccountUser(KubeSystem, name),
        _rng.NextUuid().ToString(),
        Identity.ServiceAccountGroups(KubeSystem),
        TrafficKind.ControlPlane,
        Clients.ControllerManager(Identity.ServiceAccountUser(KubeSystem, name)),
        ControlPlane[0].Ip,
        $"RBAC: allowed by ClusterRoleBinding \"system:controller:{name}\" of ClusterRole \"system:controller:{name}\" to ServiceAccount \"{name}/{KubeSystem}\"",
        [new("authentication.kubernetes.io/credential-id", "JTI=" + _rng.NextUuid())]);

    private Human BuildHuman(int index, int count)
    {
        var role = index < 2 ? HumanRole.Admin : index == count - 1 && count > 3 ? HumanRole.Auditor : HumanRole.Developer;
        var name = Names.Pick(Names.People, index, "user");
        var group = role switch
        {
            HumanRole.Admin => "oidc:platform-admins",
            HumanRole.Auditor => "oidc:security-auditors",
            _ => "oidc:developers",
        };
        var namespaces = role == HumanRole.Developer
            ? Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => _rng.Pick(AppNamespaces)).Distinct().ToArray()
            : AppNamespaces;
        var build = _rng.Next(Clients.Kubectl.Length);
        var ip = string.Create(CultureInfo.InvariantCulture, $"10.8.{_rng.Next(0, 16)}.{_rng.Next(2, 250)}");
        string[] groups = role == HumanRole.Developer
            ? [group, "oidc:team-" + namespaces[0], Identity.Authenticated]
            : [group, Identity.Authenticated];
        var reason = role switch
        {
            HumanRole.Admin => $"RBAC: allowed by ClusterRoleBinding \"platform-admins\" of ClusterRole \"cluster-admin\" to Group \"{group}\"",
            HumanRole.Auditor => $"RBAC: allowed by ClusterRoleBinding \"security-auditors\" of ClusterRole \"view\" to Group \"{group}\"",
            _ => $"RBAC: allowed by ClusterRoleBinding \"developers-view\" of ClusterRole \"view\" to Group \"{group}\"",
        };
        var identity = new Identity(name + "@example.com", null, groups, TrafficKind.Human, Clients.KubectlAgent(build), ip, reason);
        return new Human { Identity = identity, Role = role, Namespaces = namespaces, KubectlBuild = build, Group = group };
    }
}
