namespace Auditrail.Cel.Conformance;

/// <summary>A group of related tests (<c>SimpleTestSection</c>).</summary>
public sealed class ConformanceSection
{
    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public required IReadOnlyList<ConformanceTest> Tests { get; init; }
}
