namespace Auditrail.Core.Model;

/// <summary>Names Kubernetes and Auditrail give to annotations and identities.</summary>
public static class WellKnown
{
    /// <summary>Set by Auditrail on events whose source names the cluster (GKE exports, the webhook's cluster path).</summary>
    public const string ClusterAnnotationName = "auditrail.io/cluster";

    public const string DecisionAnnotationName = "authorization.k8s.io/decision";
    public const string ReasonAnnotationName = "authorization.k8s.io/reason";

    internal static ReadOnlySpan<byte> ClusterAnnotation => "auditrail.io/cluster"u8;
}
