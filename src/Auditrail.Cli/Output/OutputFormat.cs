using System.CommandLine;

namespace Auditrail.Cli.Output;

public enum OutputFormat
{
    Json,
    Yaml,
    Table,
}

/// <summary>The <c>-o/--output</c> option every verb shares.</summary>
public static class OutputOption
{
    public static Option<OutputFormat?> Create(string defaultDescription) => new("--output", "-o")
    {
        Description = $"Output format: json, yaml or table ({defaultDescription}).",
        HelpName = "json|yaml|table",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            switch (text.ToLowerInvariant())
            {
                case "json":
                    return OutputFormat.Json;
                case "yaml":
                    return OutputFormat.Yaml;
                case "table" or "wide":
                    return OutputFormat.Table;
                default:
                    result.AddError($"unknown output format '{text}': use json, yaml or table");
                    return null;
            }
        },
    };
}
