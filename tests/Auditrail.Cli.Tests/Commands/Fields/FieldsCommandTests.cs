using System.Text.Json;
using Auditrail.Cli.Tests.Support;
using Auditrail.Core.Fields;

namespace Auditrail.Cli.Tests.Commands.Fields;

public class FieldsCommandTests
{
    [Fact]
    public void Json_lists_the_whole_catalog()
    {
        var result = CliRunner.Run("fields", "-o", "json");

        using var document = JsonDocument.Parse(result.Out);
        var names = document.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(FieldCatalog.All.Select(f => f.Name), names);
        Assert.Contains("identity.kind", names);
    }

    [Fact]
    public void Derived_filter_keeps_only_computed_fields()
    {
        var result = CliRunner.Run("fields", "--derived", "-o", "yaml");

        Assert.Contains("name: identity.kind", result.Out);
        Assert.DoesNotContain("name: auditID", result.Out);
    }

    [Fact]
    public void Table_is_the_default()
    {
        var result = CliRunner.Run("fields");

        Assert.Contains("objectRef.namespace", result.Out);
        Assert.Contains("DESCRIPTION", result.Out);
    }
}
