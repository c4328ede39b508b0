namespace Auditrail.LogGenerator;

/// <summary>Who a request comes from; every event is counted under exactly one kind.</summary>
public enum TrafficKind
{
    /// <summary>kube-controller-manager, kube-scheduler, kube-apiserver and the controllers' service accounts.</summary>
    ControlPlane,

    /// <summary>Kubelets: <c>system:node:&lt;name&gt;</c> in group <c>system:nodes</c>.</summary>
    Node,

    /// <summary>Workloads and operators using service account tokens.</summary>
    ServiceAccount,

    /// <summary>People using kubectl with OIDC credentials.</summary>
    Human,

    /// <summary><c>system:anonymous</c> health checks and discovery.</summary>
    Anonymous,

    /// <summary>Injected attack traffic, whatever identity it uses.</summary>
    Attack,
}

/// <summary>The attack scenarios the generator injects.</summary>
public enum AttackKind
{
    /// <summary>Bursts of failed authentication (401, no user) from an outside address.</summary>
    BruteForce,

    /// <summary>A compromised workload's service account listing and reading secrets across namespaces.</summary>
    SecretEnumeration,

    /// <summary>A ClusterRoleBinding to cluster-admin, then a privileged pod mounting the host's root.</summary>
    PrivilegeEscalation,

    /// <summary>Interactive exec into control-plane and kube-system pods.</summary>
    ExecIntoSystemPod,

    /// <summary>A person's credentials used from an address outside the corporate ranges.</summary>
    UnexpectedSource,

    /// <summary>Requests impersonating a privileged user or group.</summary>
    Impersonation,

    /// <summary>A pod-bound service account token replayed from outside the cluster with curl.</summary>
    StolenToken,

    /// <summary>An internet scanner probing the API anonymously.</summary>
    AnonymousProbe,
}
