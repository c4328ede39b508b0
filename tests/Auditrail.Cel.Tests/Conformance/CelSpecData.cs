using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>The cel-spec conformance files copied into tests/data/cel-spec (see tests/data/README.md).</summary>
internal static class CelSpecData
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "data", "cel-spec");

    public static string PathOf(string fileName) => Path.Combine(Directory, fileName);

    public static ConformanceFile Load(string name) => ConformanceFile.Load(PathOf(name + ".textproto"));

    /// <summary>The first test of that name in the file.</summary>
    public static ConformanceTest Test(string file, string test) => Load(file).Tests.First(t => t.Name == test);

    public static ConformanceTest Test(string file, string section, string test) =>
        Load(file).Tests.First(t => t.Id == $"{file}/{section}/{test}");
}
