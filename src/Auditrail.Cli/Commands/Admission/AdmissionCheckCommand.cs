using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Admission;

/// <summary><c>auditrail admission check</c>: what the admission webhooks would say to each manifest if it were applied now.</summary>
internal static class AdmissionCheckCommand
{
    public const string Examples = """
          # Would the bundled guardrails admit these manifests?
          auditrail admission check k8s/

          # Your guardrails, namespace labels from a file, one JSON line per object (CI)
          auditrail admission check -g guardrails/ --namespaces namespaces.yaml deploy.yaml -o json
        """;

    public static Command Create(CliContext context) => AdmissionSetup.ManifestCommand(context, "check",
        "Review each object as a CREATE: mutations first (the patch), then validations of the patched object; exit 1 when any object is denied.",
        OutputFormat.Table, "default table; json writes one line per object", Run);

    private static int Run(ManifestRun run, OutputFormat format, CancellationToken cancellationToken)
    {
        var (context, guardrails, manifests, pipeline) = (run.Context, run.Guardrails, run.Manifests, run.Pipeline);
        var results = manifests.Select(m => (Manifest: m, Verdict: pipeline.Review(ManifestRequests.Create(m), cancellationToken))).ToList();
        if (format == OutputFormat.Table)
        {
            WriteTable(context, results);
        }
        else
        {
            foreach (var (manifest, verdict) in results)
            {
                var line = Line(manifest, verdict);
                if (format == OutputFormat.Yaml)
                {
                    using var document = JsonDocument.Parse(line);
                    StructuredOutput.Write(context, format, writer => document.WriteTo(writer));
                }
                else
                {
                    context.Out.WriteLine(line);
                }
            }
        }

        var denied = results.Count(r => !r.Verdict.Allowed);
        context.Error.WriteLine($"checked {results.Count} objects with {guardrails.Guardrails.Count} guardrails: {results.Count - denied} allowed, {denied} denied");
        return denied > 0 || run.RejectedInput ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    /// <summary>One object's result as one JSON line: where it came from, what it is, the decision and why.</summary>
    internal static string Line(Manifest manifest, AdmissionVerdict verdict)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.Compact))
        {
            writer.WriteStartObject();
            writer.WriteString("source", manifest.Source);
            writer.WriteNumber("document", manifest.DocumentIndex);
            writer.WriteNumber("line", manifest.Line);
            writer.WriteString("apiVersion", manifest.ApiVersion);
            writer.WriteString("kind", manifest.Kind);
            WriteOptional(writer, "namespace", ManifestRequests.Create(manifest).Namespace);
            WriteOptional(writer, "name", manifest.Name);
            writer.WriteBoolean("allowed", verdict.Allowed);
            FindingJson.WriteFindings(writer, "violations", verdict.Findings.Where(f => f.Action != FindingAction.Warn));
            writer.WriteStartArray("warnings");
            foreach (var warning in verdict.Warnings)
            {
                writer.WriteStringValue(warning);
            }

            writer.WriteEndArray();
            FindingJson.WritePatch(writer, verdict.Patch);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteTable(CliContext context, List<(Manifest Manifest, AdmissionVerdict Verdict)> results)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("SOURCE", "KIND", "OBJECT", "RESULT", "FINDINGS");
        foreach (var (manifest, verdict) in results)
        {
            var request = ManifestRequests.Create(manifest);
            var name = request.Namespace is { } ns ? $"{ns}/{manifest.Name}" : manifest.Name ?? string.Empty;
            var findings = verdict.Findings.Select(f => $"{f.Action.ToString().ToLowerInvariant()} {AdmissionPipeline.Describe(f)}").ToList();
            if (verdict.Patch.Count > 0)
            {
                findings.Add($"patch: {verdict.Patch.Count} operations ({string.Join(", ", verdict.Patch.Select(p => $"{p.Op} {p.Path}"))})");
            }

            table.AddRow(
                Markup.Escape($"{manifest.Source}:{manifest.Line}"),
                Markup.Escape(manifest.Kind),
                Markup.Escape(name),
                verdict.Allowed ? "allowed" : "denied",
                Markup.Escape(string.Join(Environment.NewLine, findings)));
        }

        context.CreateConsole().Write(table);
    }
}
