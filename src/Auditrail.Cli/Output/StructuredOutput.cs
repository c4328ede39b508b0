using System.Buffers;
using System.Text;
using System.Text.Json;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Output;

/// <summary>Writes one result document as indented JSON or as YAML, from the same JSON writer code.</summary>
public static class StructuredOutput
{
    public static void Write(CliContext context, OutputFormat format, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.Indented))
        {
            write(writer);
        }

        if (format == OutputFormat.Yaml)
        {
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            var yaml = new JsonToYaml(context.Out);
            yaml.WriteDocument(document.RootElement);
            yaml.Finish();
            return;
        }

        context.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
