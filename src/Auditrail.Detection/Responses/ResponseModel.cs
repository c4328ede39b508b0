using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Responses;

/// <summary>What a response does to the cluster.</summary>
public enum ResponseActionKind
{
    /// <summary>Delete a pod (its controller, if any, recreates it; that is the point: the violating instance goes).</summary>
    DeletePod,

    /// <summary>Merge-patch labels onto an object (e.g. a quarantine label a NetworkPolicy selects).</summary>
    Label,

    /// <summary>Merge-patch annotations onto an object (e.g. a note pointing at the alert).</summary>
    Annotate,

    /// <summary>Set a Deployment, StatefulSet or ReplicaSet to zero replicas through its scale subresource.</summary>
    ScaleToZero,

    /// <summary>Delete a RoleBinding or a ClusterRoleBinding.</summary>
    DeleteBinding,

    /// <summary>Mark a node unschedulable, as <c>kubectl cordon</c> does.</summary>
    CordonNode,
}

/// <summary>One action of a response rule.</summary>
public sealed record ResponseAction
{
    public required ResponseActionKind Kind { get; init; }

    /// <summary>
    /// The object to act on, written like an alert target (<c>[namespace/]resource[.group]/name</c>);
    /// null means the alert's own target.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>Labels (for <see cref="ResponseActionKind.Label"/>) or annotations (for <see cref="ResponseActionKind.Annotate"/>) to set.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>Which alerts trigger which actions: a rule-name glob and a minimum severity.</summary>
public sealed record ResponseRule
{
    public required string Name { get; init; }

    /// <summary>Glob over the alert's rule name (fnmatch, as rule globs elsewhere); <c>*</c> matches every rule.</summary>
    public string AlertRule { get; init; } = "*";

    public Severity MinimumSeverity { get; init; } = Severity.High;

    public required IReadOnlyList<ResponseAction> Actions { get; init; }

    public bool Matches(Engine.Alert alert) => alert.Severity >= MinimumSeverity && GlobPattern.IsMatch(alert.Rule, AlertRule);
}

/// <summary>Guard rails around every response: what may be touched, how often, and whether anything is called at all.</summary>
public sealed record ResponseOptions
{
    /// <summary>
    /// True unless configured otherwise: a dry run records what it would do and calls nothing, so that turning
    /// responses on never changes a cluster until someone has read the records and said so.
    /// </summary>
    public bool DryRun { get; init; } = true;

    /// <summary>Namespaces namespaced actions may touch; empty means none (an allow-list, not a deny-list).</summary>
    public IReadOnlySet<string> AllowedNamespaces { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether actions on cluster-scoped objects (nodes, namespaces, ClusterRoleBindings) may run at all.</summary>
    public bool AllowClusterScoped { get; init; }

    /// <summary>After an action on a target for an alert rule, the same action on the same target for that rule is skipped this long.</summary>
    public TimeSpan RepeatWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many records stay in memory (the oldest go first); the record file, if any, keeps all.</summary>
    public int RecordsInMemory { get; init; } = 1000;

    /// <summary>JSON-lines file every record is appended to; null keeps records in memory only.</summary>
    public string? RecordFile { get; init; }
}
