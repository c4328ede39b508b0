using Auditrail.Rbac.Loading;

namespace Auditrail.Rbac.Tests.Bootstrap;

/// <summary>The Kubernetes bootstrap RBAC (tests/data/kubernetes-rbac), loaded once for every test that reads it.</summary>
internal static class BootstrapPolicy
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "data", "kubernetes-rbac");

    private static readonly Lazy<RbacLoadResult> Loaded = new(() => RbacLoader.LoadPaths([Directory]));

    public static RbacLoadResult Result => Loaded.Value;
}
