namespace Auditrail.LogGenerator;

/// <summary>
/// Everything that shapes the generated log. The same options always give the same bytes. The event rate is
/// not set directly: it follows from the cluster shape, as on a real cluster (node heartbeats, leader
/// elections, informer watches, controllers reacting to churn, people working office hours).
/// </summary>
public sealed record GeneratorOptions
{
    public static DateTimeOffset DefaultStart { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public long Seed { get; init; } = 1;

    /// <summary>Time of the first request; the log then runs forward in simulated time.</summary>
    public DateTimeOffset Start { get; init; } = DefaultStart;

    /// <summary>Application namespaces, in addition to kube-system, monitoring, ingress-nginx, cert-manager, argocd and ci.</summary>
    public int Namespaces { get; init; } = 12;

    /// <summary>Workloads (Deployments, some with HPAs, CronJobs) per application namespace.</summary>
    public int WorkloadsPerNamespace { get; init; } = 4;

    public int WorkerNodes { get; init; } = 24;

    /// <summary>Control-plane nodes; each runs an apiserver, a controller-manager and a scheduler.</summary>
    public int ControlPlaneNodes { get; init; } = 3;

    /// <summary>People with kubectl access: the first two are cluster admins, the last an auditor, the rest developers.</summary>
    public int Humans { get; init; } = 8;

    /// <summary>Fraction of events that belong to attack scenarios (0 to 0.5).</summary>
    public double AttackShare { get; init; } = 0.01;

    /// <summary>Fraction of requests that end in a Panic stage instead of ResponseComplete.</summary>
    public double PanicShare { get; init; } = 0.00002;

    /// <summary>
    /// Whether the simulated audit policy keeps the RequestReceived stage for writes to known API groups and for
    /// the full-body namespace (see audit-policy.yaml). When false every rule omits it.
    /// </summary>
    public bool EmitRequestReceived { get; init; } = true;

    /// <summary>Problems with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Check(errors, Namespaces is >= 1 and <= 500, "namespaces must be between 1 and 500");
        Check(errors, WorkloadsPerNamespace is >= 1 and <= 50, "workloads per namespace must be between 1 and 50");
        Check(errors, WorkerNodes is >= 1 and <= 5000, "worker nodes must be between 1 and 5000");
        Check(errors, ControlPlaneNodes is >= 1 and <= 7, "control-plane nodes must be between 1 and 7");
        Check(errors, Humans is >= 1 and <= 1000, "humans must be between 1 and 1000");
        Check(errors, AttackShare is >= 0 and <= 0.5, "attack share must be between 0 and 0.5");
        Check(errors, PanicShare is >= 0 and <= 0.01, "panic share must be between 0 and 0.01");
        Check(errors, Start.Year is >= 1971 and <= 9000, "start must be between 1971 and 9000");
        return errors;
    }

    private static void Check(List<string> errors, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }
}
