using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Loading;

/// <summary>The loaded RBAC and every problem found on the way.</summary>
public sealed record RbacLoadResult(RbacSnapshot Snapshot, IReadOnlyList<RbacDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Loads Roles, ClusterRoles, RoleBindings, ClusterRoleBindings and ServiceAccounts from YAML or JSON
/// manifests: single objects, multi-document files, <c>kind: List</c> and typed lists
/// (<c>kubectl get … -o yaml|json</c> output), and directories (every <c>.yaml</c>, <c>.yml</c> and
/// <c>.json</c> file below, in ordinal path order so duplicates resolve the same way on every
/// machine). Problems are reported with file:line and the rest is still loaded. Aggregated
/// ClusterRoles get their rules as the aggregation controller would give them.
/// </summary>
public static class RbacLoader
{
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    /// <summary>Loads files and directories together, as one cluster's worth of objects.</summary>
    public static RbacLoadResult LoadPaths(IEnumerable<string> paths)
    {
        var diagnostics = new List<RbacDiagnostic>();
        var objects = new RbacObjectSet();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => ManifestExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    diagnostics.Add(new RbacDiagnostic(RbacCodes.NothingLoaded, RbacDiagnosticSeverity.Warning, ManifestLocation.Of(path), "the directory holds no .yaml, .yml or .json file"));
                }

                foreach (var file in files)
                {
                    ReadFile(file, objects, diagnostics);
                }
            }
            else
            {
                ReadFile(path, objects, diagnostics);
            }
        }

        return Finish(objects, diagnostics);
    }

    /// <summary>Loads manifests held in memory; <paramref name="file"/> names them in diagnostics.</summary>
    public static RbacLoadResult LoadText(string text, string file)
    {
        var diagnostics = new List<RbacDiagnostic>();
        var objects = new RbacObjectSet();
        ReadText(text, file, objects, diagnostics);
        return Finish(objects, diagnostics);
    }

    private static RbacLoadResult Finish(RbacObjectSet objects, List<RbacDiagnostic> diagnostics)
    {
        var snapshot = objects.Build(diagnostics);
        return new RbacLoadResult(snapshot, diagnostics);
    }

    private static void ReadFile(string file, RbacObjectSet objects, List<RbacDiagnostic> diagnostics)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file or directory" : ex.Message;
            diagnostics.Add(new RbacDiagnostic(RbacCodes.CannotRead, RbacDiagnosticSeverity.Error, ManifestLocation.Of(file), $"cannot read: {reason}"));
            return;
        }

        ReadText(text, file, objects, diagnostics);
    }

    private static void ReadText(string text, string file, RbacObjectSet objects, List<RbacDiagnostic> diagnostics)
    {
        var decoder = new ManifestDecoder(file, objects, diagnostics);
        foreach (var document in ManifestDocuments.Parse(text, file, diagnostics))
        {
            decoder.Decode(document);
        }
    }
}
