using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;
using Auditrail.Rbac.Usage;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary><c>auditrail rbac unused</c>: for each bound subject, the granted permissions the logs never show it using.</summary>
internal static class RbacUnusedCommand
{
    public const string Examples = """
          # What did nobody use in the last 30 days of logs (counted back from the latest event)?
          auditrail rbac unused --rbac rbac/ /var/log/kubernetes/audit/ --since 30d

          # One service account and one group, from a live cluster, as JSON
          auditrail rbac unused --context prod audit.log --subject serviceaccount:ci:deployer --subject group:developers -o json
        """;

    public static Command Create(CliContext context)
    {
        var input = new RbacInput();
        var paths = new Argument<string[]>("logs")
        {
            Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes.",
            Arity = ArgumentArity.OneOrMore,
        };
        var since = new Option<string?>("--since") { Description = "Only requests at or after this time: RFC 3339, or a duration (30d, 12h, 90m, 2w) counted back from the latest event in the logs." };
        var until = new Option<string?>("--until") { Description = "Only requests before this time (RFC 3339)." };
        var subjects = new Option<string[]>("--subject")
        {
            Description = "Only these subjects (repeatable): user:NAME, group:NAME or serviceaccount:NS:NAME (a system:serviceaccount:NS:NAME username works too).",
            HelpName = "KIND:NAME",
        };
        var output = OutputOption.Create("default table: one row per subject, binding and rule");
        var command = new Command("unused", "For each subject bound in the RBAC, what its bindings grant and the logs never show it using: per rule the unused verbs, resources and names and the share used; unused rules, subjects and bindings are candidates for removal. Requests are matched with the authorizer, so a rule counts as used only for requests it allowed. Exit 1 when there are candidates.")
        {
            paths, since, until, subjects, output,
        };
        input.AddTo(command);
        ExitCodeHelp.Set(command, "Exit codes: 0 everything granted was used, 1 candidates for removal reported or some input rejected, 2 usage error or unusable input.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!TryParseSubjects(context, parseResult.GetValue(subjects) ?? [], out var filter)
                || !RbacLogs.TryParseSince(context, parseResult.GetValue(since), out var sinceOption)
                || !TimeOptions.TryParse(context, "--until", parseResult.GetValue(until), out var to))
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var loaded = await input.LoadAsync(parseResult, context, cancellationToken).ConfigureAwait(false);
            if (loaded is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var (collector, counters) = RbacLogs.Read(context, parseResult.GetValue(paths) ?? [], keep: null, cancellationToken);
            RbacLogs.ReportSkipped(context, collector);
            if (counters.Events == 0)
            {
                context.Error.WriteLine("error: no events read");
                return ExitCodes.UsageOrUnusableInput;
            }

            var from = sinceOption.Resolve(collector.Latest);
            var report = UsageAnalyzer.Analyze(loaded.Snapshot, collector.Requests(from, to), from, to, filter);
            if (filter is not null && report.Subjects.Count == 0)
            {
                context.Error.WriteLine("error: no binding names any of the --subject subjects");
                return ExitCodes.UsageOrUnusableInput;
            }

            Write(context, report, parseResult.GetValue(output) ?? OutputFormat.Table);
            context.Error.WriteLine($"{report.RequestsConsidered:N0} request(s) not denied{Window(report)}; {report.Subjects.Count} subject(s), {report.Findings.Count} candidate(s) for removal");
            return report.Findings.Count > 0 || loaded.HadErrors || counters.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    private static string Window(UsageReport report) =>
        report.Since is null && report.Until is null ? string.Empty
        : $" from {report.Since?.UtcDateTime.ToString("u", CultureInfo.InvariantCulture) ?? "the start"} to {report.Until?.UtcDateTime.ToString("u", CultureInfo.InvariantCulture) ?? "the end"}";

    /// <summary>Parses <c>--subject</c> values into a filter; null when none is given.</summary>
    internal static bool TryParseSubjects(CliContext context, string[] values, out Func<RbacSubject, bool>? filter)
    {
        filter = null;
        var wanted = new List<RbacSubject>();
        foreach (var value in values)
        {
            if (RequestAttributes.TryParseServiceAccount(value, out var userNamespace, out var userName))
            {
                wanted.Add(new RbacSubject(SubjectKind.ServiceAccount, userName, userNamespace));
                continue;
            }

            var colon = value.IndexOf(':', StringComparison.Ordinal);
            var kind = colon < 0 ? string.Empty : value[..colon].ToLowerInvariant();
            var rest = colon < 0 ? string.Empty : value[(colon + 1)..];
            var parts = rest.Split(':', 2);
            RbacSubject? subject = kind switch
            {
                "user" when rest.Length > 0 => new RbacSubject(SubjectKind.User, rest),
                "group" when rest.Length > 0 => new RbacSubject(SubjectKind.Group, rest),
                "serviceaccount" or "sa" when parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 => new RbacSubject(SubjectKind.ServiceAccount, parts[1], parts[0]),
                _ => null,
            };
            if (subject is null)
            {
                context.Error.WriteLine($"error: --subject '{value}' must be user:NAME, group:NAME or serviceaccount:NAMESPACE:NAME");
                return false;
            }

            wanted.Add(subject);
        }

        if (wanted.Count > 0)
        {
            filter = s => wanted.Contains(s);
        }

        return true;
    }

    private static void Write(CliContext context, UsageReport report, OutputFormat format)
    {
        if (format != OutputFormat.Table)
        {
            StructuredOutput.Write(context, format, writer => WriteJson(writer, report));
            return;
        }

        var rows = new List<string[]>();
        foreach (var subject in report.Subjects)
        {
            foreach (var binding in subject.Bindings)
            {
                var role = binding.Role?.DisplayName ?? $"{binding.Binding.RoleRef} (missing)";
                if (binding.Rules.Count == 0)
                {
                    rows.Add([subject.Name, Count(subject.Requests), binding.Binding.DisplayName, role, "-", "-", "no rules"]);
                }

                foreach (var rule in binding.Rules)
                {
                    rows.Add([subject.Name, Count(subject.Requests), binding.Binding.DisplayName, role, $"rules[{rule.Index}] {rule.Rule}",
                        string.Create(CultureInfo.InvariantCulture, $"{rule.FractionUsed:P0} ({rule.UsedCells}/{rule.TotalCells})"), UnusedText(rule)]);
                }
            }
        }

        RbacTable.Write(context.Out, ["SUBJECT", "REQUESTS", "BINDING", "ROLE", "RULE", "USED", "NEVER USED"], rows);
        if (report.Findings.Count > 0)
        {
            context.Out.WriteLine();
            context.Out.WriteLine("Candidates for removal:");
            foreach (var finding in report.Findings)
            {
                var who = finding.Subject.Length == 0 ? string.Empty : $" [{finding.Subject}]";
                context.Out.WriteLine($"  {Kebab(finding.Kind)}  {finding.Object}{who}: {finding.Message}");
            }
        }

        static string Count(long requests) => requests.ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>What a rule granted that nothing used: "everything" for an unused rule, else the unused verbs, groups, resources, names and paths.</summary>
    private static string UnusedText(RuleUsage rule)
    {
        if (!rule.IsUsed)
        {
            return "everything";
        }

        var parts = new List<string>();
        void Add(string what, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                parts.Add($"{what}=[{string.Join(' ', values.Select(v => v.Length == 0 ? "\"\"" : v))}]");
            }
        }

        Add("verbs", rule.UnusedVerbs);
        Add("apiGroups", rule.UnusedApiGroups);
        Add("resources", rule.UnusedResources);
        Add("resourceNames", rule.UnusedResourceNames);
        Add("nonResourceURLs", rule.UnusedNonResourceUrls);
        return parts.Count == 0 ? rule.UsedCells == rule.TotalCells ? "-" : "some combinations" : string.Join(' ', parts);
    }

    private static string Kebab(UsageFindingKind kind) => kind switch
    {
        UsageFindingKind.UnusedBinding => "unused-binding",
        UsageFindingKind.UnusedSubject => "unused-subject",
        _ => "unused-rule",
    };

    private static void WriteJson(Utf8JsonWriter writer, UsageReport report)
    {
        writer.WriteStartObject();
        WriteTime(writer, "since", report.Since);
        WriteTime(writer, "until", report.Until);
        writer.WriteNumber("requests", report.RequestsConsidered);
        writer.WriteNumber("requestsByUnboundIdentities", report.RequestsByUnboundIdentities);
        writer.WriteStartArray("subjects");
        foreach (var subject in report.Subjects)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", subject.Subject.Kind.ToString());
            writer.WriteString("name", subject.Subject.Name);
            if (subject.Subject.Kind == SubjectKind.ServiceAccount)
            {
                writer.WriteString("namespace", subject.Subject.Namespace);
            }

            writer.WriteNumber("requests", subject.Requests);
            WriteTime(writer, "lastSeen", subject.LastSeen);
            writer.WriteStartArray("bindings");
            foreach (var binding in subject.Bindings)
            {
                WriteBinding(writer, binding);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", Kebab(finding.Kind));
            writer.WriteString("object", finding.Object);
            if (finding.Subject.Length > 0)
            {
                writer.WriteString("subject", finding.Subject);
            }

            writer.WriteString("message", finding.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteBinding(Utf8JsonWriter writer, BindingUsage binding)
    {
        writer.WriteStartObject();
        writer.WriteString("binding", binding.Binding.DisplayName);
        writer.WriteString("roleRef", binding.Binding.RoleRef.ToString());
        writer.WriteBoolean("roleFound", binding.Role is not null);
        writer.WriteBoolean("used", binding.IsUsed);
        writer.WriteNumber("requests", binding.Requests);
        writer.WriteNumber("fractionUsed", Math.Round(binding.FractionUsed, 4));
        writer.WriteStartArray("rules");
        foreach (var rule in binding.Rules)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", rule.Index);
            RbacJson.WriteRule(writer, rule.Rule);
            writer.WriteBoolean("used", rule.IsUsed);
            writer.WriteNumber("requests", rule.Requests);
            writer.WriteNumber("onlyGrantRequests", rule.OnlyGrantRequests);
            writer.WriteNumber("usedCells", rule.UsedCells);
            writer.WriteNumber("totalCells", rule.TotalCells);
            writer.WriteNumber("fractionUsed", Math.Round(rule.FractionUsed, 4));
            WriteTime(writer, "lastUsed", rule.LastUsed);
            RbacJson.WriteStrings(writer, "observedVerbs", rule.ObservedVerbs);
            RbacJson.WriteStrings(writer, "observedResources", rule.ObservedResources);
            writer.WriteStartObject("neverUsed");
            RbacJson.WriteStrings(writer, "verbs", rule.UnusedVerbs);
            RbacJson.WriteStrings(writer, "apiGroups", rule.UnusedApiGroups);
            RbacJson.WriteStrings(writer, "resources", rule.UnusedResources);
            RbacJson.WriteStrings(writer, "resourceNames", rule.UnusedResourceNames);
            RbacJson.WriteStrings(writer, "nonResourceURLs", rule.UnusedNonResourceUrls);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            writer.WriteString(name, t.UtcDateTime);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
