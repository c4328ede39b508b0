using Auditrail.Core.Fields;

namespace Auditrail.Core.Tests.Fields;

public class FieldReferenceTests
{
    [Fact]
    public void Docs_field_reference_matches_the_catalog()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "fields.md");
        var expected = FieldReference.ToMarkdown();
        if (Environment.GetEnvironmentVariable("AUDITRAIL_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), "docs/fields.md is missing");
        Assert.Equal(expected, File.ReadAllText(path));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Auditrail.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("run the tests from inside the repository");
    }
}
