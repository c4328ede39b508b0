namespace Auditrail.Core.Tests.Support;

/// <summary>Paths to the data copied from the shared corpus into tests/data (see its README).</summary>
public static class TestData
{
    public static string Root { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "data");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string FalcoTraces => Path("falco-k8saudit", "trace_files");
}
