using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Fields;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Fields;

/// <summary><c>auditrail fields</c>: the field catalog rules and queries use.</summary>
internal static class FieldsCommand
{
    public const string Examples = """
          # Every field with its type and meaning
          auditrail fields

          # Only the fields Auditrail derives (identity kind, decision, read-only …)
          auditrail fields --derived

          # Machine-readable, for editors and generators
          auditrail fields -o json
        """;

    public static Command Create(CliContext context)
    {
        var output = OutputOption.Create("default table");
        var derived = new Option<bool>("--derived") { Description = "Only fields Auditrail computes from the event." };
        var command = new Command("fields", "List the fields of an audit event that rules, queries and outputs can use.") { output, derived };
        command.SetAction(parseResult =>
        {
            var fields = FieldCatalog.All.Where(f => !parseResult.GetValue(derived) || f.Derived).ToList();
            Write(context, parseResult.GetValue(output) ?? OutputFormat.Table, fields);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, OutputFormat format, IReadOnlyList<FieldDefinition> fields)
    {
        if (format == OutputFormat.Table)
        {
            var table = new Table().AddColumns("NAME", "TYPE", "SOURCE", "DESCRIPTION");
            foreach (var f in fields)
            {
                table.AddRow(Markup.Escape(f.Name), Markup.Escape(f.TypeName), f.Derived ? "derived" : "event", Markup.Escape(f.Description));
            }

            context.CreateConsole().Write(table);
            return;
        }

        StructuredOutput.Write(context, format, writer =>
        {
            writer.WriteStartArray();
            foreach (var f in fields)
            {
                writer.WriteStartObject();
                writer.WriteString("name", f.Name);
                writer.WriteString("type", f.TypeName);
                writer.WriteBoolean("derived", f.Derived);
                writer.WriteString("description", f.Description);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }
}
