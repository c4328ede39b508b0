namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>How generously <see cref="LeastPrivilegeGenerator"/> turns observed requests into rules.</summary>
public sealed record LeastPrivilegeOptions
{
    /// <summary>The name of every generated Role, ClusterRole and binding.</summary>
    public required string Name { get; init; }

    /// <summary>Add the verbs <see cref="VerbExpansion"/> implies (on by default, as audit2rbac does).</summary>
    public bool ExpandVerbs { get; init; } = true;

    /// <summary>Drop resourceNames: a rule covers every object of its resource, not only those seen.</summary>
    public bool WidenNames { get; init; }

    /// <summary>Grant namespaced requests everywhere: their rules go into the ClusterRole, bound cluster-wide, instead of one Role per namespace.</summary>
    public bool WidenNamespaces { get; init; }

    /// <summary>Labels put on every generated object.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Annotations put on every generated object.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
