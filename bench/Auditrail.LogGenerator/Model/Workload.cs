using Auditrail.LogGenerator.Infrastructure;

namespace Auditrail.LogGenerator.Model;

internal enum WorkloadKind
{
    Deployment,
    StatefulSet,
    DaemonSet,

    /// <summary>Static pods of the control plane: mirror pods the kubelet creates, no controller.</summary>
    Static,

    /// <summary>A CronJob; its pods belong to the Jobs it creates.</summary>
    CronJob,
}

/// <summary>A set of pods running one image under one service account, and the objects around it.</summary>
internal sealed class Workload
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required WorkloadKind Kind { get; init; }

    public required string Container { get; init; }

    public required string ImageRepository { get; init; }

    public required string ImageTag { get; set; }

    public string Image => ImageRepository + ":" + ImageTag;

    /// <summary>0 when the container serves nothing.</summary>
    public int Port { get; init; }

    public required string ServiceAccount { get; init; }

    /// <summary>The <c>authorization.k8s.io/reason</c> for requests its own RBAC allows.</summary>
    public required string AllowReason { get; init; }

    public required string UserAgent { get; init; }

    public required Uuid Uid { get; init; }

    public required Uuid ServiceAccountUid { get; init; }

    /// <summary>Pods that share the node's network namespace use the node's address.</summary>
    public bool HostNetwork { get; init; }

    public int Replicas { get; set; } = 1;

    public List<PodModel> Pods { get; } = [];

    /// <summary>pod-template-hash of the current ReplicaSet; changes with each rollout.</summary>
    public string TemplateHash { get; set; } = "";

    public Uuid ReplicaSetUid { get; set; }

    public int Revision { get; set; } = 1;

    public long Generation { get; set; } = 1;

    public bool HasHpa { get; init; }

    public bool LeaderElection { get; init; }

    /// <summary>Infrastructure pods that legitimately run privileged (kube-proxy, node-exporter).</summary>
    public bool Privileged { get; init; }

    /// <summary>
    /// JSON fragments rendered for this workload (pod template, managedFields, last-applied configuration), by
    /// purpose, with the image they were rendered for. Controllers send the same template over and over; rendering
    /// once per image keeps large bodies cheap. Kept here rather than in a static so that generators running on
    /// different threads share nothing.
    /// </summary>
    public Dictionary<string, (string Image, byte[] Json)> Rendered { get; } = new(StringComparer.Ordinal);

    public string ConfigMapName => Name + "-config";

    public string SecretName => Name + "-credentials";

    public string ReplicaSetName => Name + "-" + TemplateHash;

    public string Label => Name;

    /// <summary>The controller that creates and deletes its pods, as a kube-system service account name.</summary>
    public string PodController => Kind switch
    {
        WorkloadKind.StatefulSet => "statefulset-controller",
        WorkloadKind.DaemonSet => "daemon-set-controller",
        WorkloadKind.CronJob => "job-controller",
        _ => "replicaset-controller",
    };

    public override string ToString() => Namespace + "/" + Name;
}

/// <summary>A running pod; its service account token is bound to it, so the token's claims name the pod.</summary>
internal sealed class PodModel
{
    public required string Name { get; init; }

    public required Uuid Uid { get; init; }

    public required Workload Workload { get; init; }

    public required NodeModel Node { get; init; }

    public required string Ip { get; init; }

    public required Identity Identity { get; init; }

    public required long CreatedMicros { get; init; }

    /// <summary>Whether a mesh webhook injected its sidecar when the pod was created.</summary>
    public bool Injected { get; init; }

    public string Namespace => Workload.Namespace;

    public override string ToString() => Namespace + "/" + Name;
}

internal sealed class NodeModel
{
    public required string Name { get; init; }

    public required string Ip { get; init; }

    public required Uuid Uid { get; init; }

    public required int Index { get; init; }

    public required bool ControlPlane { get; init; }

    public Identity Kubelet { get; set; } = null!;

    public List<PodModel> Pods { get; } = [];

    /// <summary>Host part of the next pod IP in this node's /24 of the pod CIDR.</summary>
    public int NextPodHost { get; set; } = 2;

    public override string ToString() => Name;
}

internal enum HumanRole
{
    /// <summary>cluster-admin through the platform-admins group.</summary>
    Admin,

    /// <summary>edit in their team's namespaces, view elsewhere (never Secrets or Nodes).</summary>
    Developer,

    /// <summary>view everywhere: no writes, no Secrets, no Nodes.</summary>
    Auditor,
}

internal sealed class Human
{
    public required Identity Identity { get; init; }

    public required HumanRole Role { get; init; }

    /// <summary>Namespaces the person works in (all application namespaces for admins).</summary>
    public required string[] Namespaces { get; init; }

    public required int KubectlBuild { get; init; }

    public required string Group { get; init; }

    public string Email => Identity.Username;

    public override string ToString() => Email;
}
