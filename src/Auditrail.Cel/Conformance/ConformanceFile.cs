using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Auditrail.Cel.Conformance;

/// <summary>
/// One cel-spec conformance data file (<c>cel.expr.conformance.test.SimpleTestFile</c>, stored as a
/// <c>.textproto</c>). Loading checks the text against the schema, so a typo in a field name is an
/// error with its place rather than a test that silently expects nothing.
/// </summary>
public sealed class ConformanceFile
{
    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public required IReadOnlyList<ConformanceSection> Sections { get; init; }

    /// <summary>The path or label the file was read from, as errors and test places name it.</summary>
    public required string SourceName { get; init; }

    /// <summary>Every test of every section, in file order.</summary>
    public IEnumerable<ConformanceTest> Tests => Sections.SelectMany(s => s.Tests);

    /// <summary>Reads and checks a file's text; <paramref name="sourceName"/> labels its errors.</summary>
    /// <exception cref="TextProtoException">The text is not text format, or not a SimpleTestFile.</exception>
    public static ConformanceFile Parse(ReadOnlyMemory<byte> utf8, string sourceName) =>
        new ConformanceReader(sourceName).ReadFile(TextProtoParser.Parse(utf8, sourceName));

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte}, string)"/>
    public static ConformanceFile Parse(string text, string sourceName) => Parse(Encoding.UTF8.GetBytes(text), sourceName);

    /// <summary>Like <see cref="Parse(ReadOnlyMemory{byte}, string)"/>, returning the error instead of throwing it.</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> utf8,
        string sourceName,
        [NotNullWhen(true)] out ConformanceFile? file,
        [NotNullWhen(false)] out TextProtoException? error)
    {
        try
        {
            file = Parse(utf8, sourceName);
            error = null;
            return true;
        }
        catch (TextProtoException e)
        {
            file = null;
            error = e;
            return false;
        }
    }

    /// <summary>Reads a <c>.textproto</c> file as bytes, so bytes literals keep any byte they spell.</summary>
    /// <exception cref="TextProtoException">The file is not a valid SimpleTestFile.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ConformanceFile Load(string path) => Parse(File.ReadAllBytes(path), path);
}
