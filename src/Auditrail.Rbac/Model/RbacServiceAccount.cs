namespace Auditrail.Rbac.Model;

/// <summary>A ServiceAccount object: only its identity matters to RBAC (its tokens are never read).</summary>
public sealed record RbacServiceAccount(string Namespace, string Name, ManifestLocation Source)
{
    /// <summary>The username it authenticates as.</summary>
    public string UserName => RbacSubject.ServiceAccountUserName(Namespace, Name);
}
