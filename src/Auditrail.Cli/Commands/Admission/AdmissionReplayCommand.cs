using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Replay;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Reading;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Admission;

/// <summary><c>auditrail admission replay</c>: what the guardrails would have denied, had they been enforced when the audit log was written.</summary>
internal static class AdmissionReplayCommand
{
    public const string Examples = """
          # What would the bundled guardrails have blocked last month, and who would have noticed?
          auditrail admission replay --guardrails default /var/log/kubernetes/audit/

          # A new guardrail against a week of history, as JSON
          auditrail admission replay -g replicas.yaml audit.log --since 2024-05-01T00:00:00Z --until 2024-05-08T00:00:00Z -o json
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("logs")
        {
            Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes.",
            Arity = ArgumentArity.OneOrMore,
        };
        var guardrails = AdmissionSetup.GuardrailsOption();
        var namespaces = AdmissionSetup.NamespacesOption();
        var podSecurity = AdmissionSetup.PodSecurityOption();
        var output = OutputOption.Create("default table");
        var since = new Option<string?>("--since") { Description = "Only events at or after this time (RFC 3339)." };
        var until = new Option<string?>("--until") { Description = "Only events before this time (RFC 3339)." };
        var command = new Command("replay", "Replay the creates, updates and patches recorded in audit logs through guardrails: what would have been denied, by whom, when (exit 1 when anything would have been).")
        {
            paths, guardrails, namespaces, podSecurity, output, since, until,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context,
            parseResult.GetValue(paths) ?? [],
            parseResult.GetValue(guardrails) ?? [],
            parseResult.GetValue(namespaces) ?? [],
            parseResult.GetValue(podSecurity),
            parseResult.GetValue(output) ?? OutputFormat.Table,
            parseResult.GetValue(since),
            parseResult.GetValue(until),
            cancellationToken)));
        return command;
    }

    private static int Run(CliContext context, string[] paths, string[] guardrailPaths, string[] namespacePaths, string? podSecurityText, OutputFormat format, string? sinceText, string? untilText, CancellationToken cancellationToken)
    {
        if (!TimeOptions.TryParse(context, "--since", sinceText, out var since) || !TimeOptions.TryParse(context, "--until", untilText, out var until))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        if (!AdmissionSetup.TryParsePodSecurity(context, podSecurityText, out var podSecurity)
            || AdmissionSetup.LoadGuardrails(context, guardrailPaths) is not { } guardrails)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var catalog = new NamespaceCatalog();
        catalog.AddRange(AdmissionSetup.ReadManifests(context, namespacePaths, out var badNamespaces));
        var replay = new AuditReplay(guardrails, catalog, (set, namespaceSource) => AdmissionSetup.Compose(set, namespaceSource, podSecurity), since, until, d => context.Error.WriteLine(d.ToString()))
        {
            CancellationToken = cancellationToken,
        };
        var counters = new AuditLogReader().ReadPaths(paths, replay, cancellationToken, context.OpenStdin);
        var report = replay.Report;
        if (format == OutputFormat.Table)
        {
            WriteTable(context, report);
        }
        else
        {
            StructuredOutput.Write(context, format, writer => WriteJson(writer, report));
        }

        if (counters.Events == 0)
        {
            context.Error.WriteLine("error: no events read");
            return ExitCodes.UsageOrUnusableInput;
        }

        return report.WouldDeny.Count > 0 || counters.Errors > 0 || badNamespaces || guardrails.HasErrors ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    private static void WriteTable(CliContext context, ReplayReport report)
    {
        var console = context.CreateConsole();
        foreach (var (title, denials) in new[] { ("Would have been denied", report.WouldDeny), ("Refused by the apiserver anyway (code >= 400), would also have been denied", report.RefusedAnyway) })
        {
            if (denials.Count == 0)
            {
                continue;
            }

            var table = new Table().Border(TableBorder.Simple).Title(title);
            table.AddColumns("TIME", "USER", "VERB", "OBJECT", "CODE", "DENIED BY", "AUDIT ID");
            foreach (var denial in denials)
            {
                var user = denial.ImpersonatedBy is { } by ? $"{denial.User} (impersonated by {by})" : denial.User;
                var obj = $"{denial.Resource} {(denial.Namespace is { Length: > 0 } ns ? ns + "/" : string.Empty)}{denial.Name}";
                table.AddRow(
                    Markup.Escape(denial.Time?.ToString("u", CultureInfo.InvariantCulture) ?? "?"),
                    Markup.Escape(user),
                    Markup.Escape(denial.Verb),
                    Markup.Escape(obj),
                    denial.ResponseCode.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(Environment.NewLine, denial.Findings.Select(AdmissionPipeline.Describe))),
                    Markup.Escape(denial.AuditId));
            }

            console.Write(table);
        }

        context.Out.WriteLine($"events read: {report.EventsRead}; candidates (create/update/patch of guarded kinds): {report.Candidates}; replayed: {report.Replayed}");
        foreach (var (reason, count) in report.NotReplayable.OrderByDescending(r => r.Value))
        {
            context.Out.WriteLine($"  not replayable: {count} {reason}");
        }

        context.Out.WriteLine($"would have been denied: {report.WouldDeny.Count}; refused by the apiserver anyway: {report.RefusedAnyway.Count}; warned: {report.Warned}; mutated: {report.Mutated}");
        foreach (var (guardrail, count) in report.WouldDenyByGuardrail.OrderByDescending(g => g.Value))
        {
            context.Out.WriteLine($"  {guardrail}: {count}");
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, ReplayReport report)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("summary");
        writer.WriteNumber("eventsRead", report.EventsRead);
        writer.WriteNumber("candidates", report.Candidates);
        writer.WriteNumber("replayed", report.Replayed);
        WriteCounts(writer, "notReplayable", report.NotReplayable);
        writer.WriteNumber("wouldDeny", report.WouldDeny.Count);
        writer.WriteNumber("refusedAnyway", report.RefusedAnyway.Count);
        writer.WriteNumber("warned", report.Warned);
        writer.WriteNumber("mutated", report.Mutated);
        WriteCounts(writer, "wouldDenyByGuardrail", report.WouldDenyByGuardrail);
        writer.WriteEndObject();
        WriteDenials(writer, "wouldDeny", report.WouldDeny);
        WriteDenials(writer, "refusedAnyway", report.RefusedAnyway);
        writer.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter writer, string property, Dictionary<string, long> counts)
    {
        writer.WriteStartObject(property);
        foreach (var (key, count) in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(key, count);
        }

        writer.WriteEndObject();
    }

    private static void WriteDenials(Utf8JsonWriter writer, string property, List<ReplayedDenial> denials)
    {
        writer.WriteStartArray(property);
        foreach (var denial in denials)
        {
            writer.WriteStartObject();
            if (denial.Time is { } time)
            {
                writer.WriteString("time", time);
            }

            writer.WriteString("auditID", denial.AuditId);
            writer.WriteString("user", denial.User);
            writer.WriteString("impersonatedBy", denial.ImpersonatedBy);
            writer.WriteString("verb", denial.Verb);
            writer.WriteString("resource", denial.Resource);
            writer.WriteString("namespace", denial.Namespace);
            writer.WriteString("name", denial.Name);
            writer.WriteNumber("responseCode", denial.ResponseCode);
            writer.WriteString("location", denial.Location);
            FindingJson.WriteFindings(writer, "findings", denial.Findings);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
