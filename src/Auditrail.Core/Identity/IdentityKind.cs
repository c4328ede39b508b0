namespace Auditrail.Core.Identity;

/// <summary>Who is behind a request, by the naming conventions Kubernetes and the cloud providers use.</summary>
public enum IdentityKind : byte
{
    /// <summary>A person (or an external automation using a person-like credential): OIDC, client certs, cloud IAM.</summary>
    Human,
    /// <summary><c>system:serviceaccount:NAMESPACE:NAME</c>.</summary>
    ServiceAccount,
    /// <summary>A kubelet: <c>system:node:NAME</c>, or a member of <c>system:nodes</c>.</summary>
    Node,
    /// <summary>A control-plane component: scheduler, controller manager, the apiserver itself, managed-service agents.</summary>
    ControlPlane,
    /// <summary><c>system:anonymous</c>: a request that presented no credentials and was let in as anonymous.</summary>
    Anonymous,
    /// <summary>No user at all: the apiserver audits failed authentications with an empty user.</summary>
    Unauthenticated,
}

public static class IdentityKindNames
{
    public static string ToWireName(this IdentityKind kind) => kind switch
    {
        IdentityKind.Human => "human",
        IdentityKind.ServiceAccount => "serviceaccount",
        IdentityKind.Node => "node",
        IdentityKind.ControlPlane => "controlplane",
        IdentityKind.Anonymous => "anonymous",
        _ => "unauthenticated",
    };
}
