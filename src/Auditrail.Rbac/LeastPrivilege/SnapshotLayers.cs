using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>RBAC from several sources taken as one cluster (assumed bootstrap grants, existing objects, generated ones).</summary>
public static class SnapshotLayers
{
    /// <summary>Every object of both; where both hold an object of the same kind and name, <paramref name="upper"/>'s wins, as applying it last would leave it.</summary>
    public static RbacSnapshot Combine(RbacSnapshot? lower, RbacSnapshot? upper) =>
        lower is null ? upper ?? RbacSnapshot.Empty
        : upper is null ? lower
        : new RbacSnapshot(lower.AllRoles.Concat(upper.AllRoles), lower.AllBindings.Concat(upper.AllBindings), lower.ServiceAccounts.Concat(upper.ServiceAccounts));
}
