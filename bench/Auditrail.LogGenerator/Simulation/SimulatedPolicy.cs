using Auditrail.LogGenerator.Model;

namespace Auditrail.LogGenerator.Simulation;

/// <summary>
/// The audit policy the simulated apiserver runs, first matching rule wins; audit-policy.yaml next to this
/// project states the same rules as a Policy document, so policy simulation can be checked against the data.
/// </summary>
internal static class SimulatedPolicy
{
    public static AuditLevel LevelFor(AuditRequest r, ClusterModel cluster)
    {
        if (r.Resource is not { } resource)
        {
            return AuditLevel.Metadata;
        }

        var write = Verbs.IsWrite(r.Verb);

        // Rule 1: the payments team asked for full bodies of every write in their namespace. It sits above the
        // Secrets rule, so their Secret and token bodies end up in the log: the misconfiguration a lint must flag.
        if (write && r.Namespace == cluster.FullBodyNamespace)
        {
            return AuditLevel.RequestResponse;
        }

        if (resource == Api.Secrets || resource == Api.ConfigMaps || (resource == Api.ServiceAccounts && r.Subresource == "token"))
        {
            return AuditLevel.Metadata;
        }

        if (write && r.Subresource == "status" && (resource == Api.Nodes || resource == Api.Pods) && r.User?.Traffic == TrafficKind.Node)
        {
            return AuditLevel.Request;
        }

        if (r.Verb == Verbs.DeleteCollection)
        {
            return AuditLevel.Request;
        }

        if (!write || resource == Api.Leases || resource == Api.Endpoints || resource == Api.Events
            || resource.Group is "discovery.k8s.io" or "events.k8s.io")
        {
            return AuditLevel.Metadata;
        }

        return Api.IsKnownGroup(resource.Group) ? AuditLevel.RequestResponse : AuditLevel.Metadata;
    }

    /// <summary>Only the two RequestResponse rules leave omitStages empty, so only they record RequestReceived.</summary>
    public static bool KeepsRequestReceived(AuditRequest r) => r.Level == AuditLevel.RequestResponse;
}
