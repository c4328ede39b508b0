namespace Auditrail.Rbac.Model;

/// <summary>
/// Where an RBAC object was read: a file with its 1-based line and column, or a cluster (line 0) for
/// objects listed from the API. Printed like a compiler position, <c>roles.yaml:12:3</c>.
/// </summary>
public readonly record struct ManifestLocation(string File, int Line, int Column)
{
    /// <summary>A place with no line: an object listed from a cluster, or one built in code.</summary>
    public static ManifestLocation Of(string source) => new(source, 0, 0);

    public override string ToString() => Line <= 0 ? File : Column <= 0 ? $"{File}:{Line}" : $"{File}:{Line}:{Column}";
}
