using System.Text.Json;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Model;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Cli.Commands.Policy;

/// <summary>A simulation report as one JSON document (or YAML, through the shared converter).</summary>
internal static class SimulationJson
{
    public static void Write(Utf8JsonWriter writer, CompiledPolicy policy, SimulationReport report, ReadCounters counters, int top)
    {
        writer.WriteStartObject();
        writer.WriteString("policy", policy.Policy.File);
        writer.WriteNumber("rules", policy.Policy.Rules.Count);
        writer.WriteNumber("sources", counters.Sources);
        writer.WriteNumber("badRecords", counters.Errors);
        Volume(writer, "before", report.Before);
        Volume(writer, "after", report.After);
        writer.WriteNumber("stageOmitted", report.StageOmitted);
        writer.WriteStartArray("byLevel");
        foreach (var level in Enum.GetValues<AuditLevel>())
        {
            writer.WriteStartObject();
            writer.WriteString("level", level.ToWireName());
            Volume(writer, "before", report.BeforeByLevel[level]);
            Volume(writer, "after", report.AfterByLevel[level]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("byRule");
        foreach (var rule in report.ByRule)
        {
            var definition = rule.RuleIndex >= 0 ? policy.Policy.Rules[rule.RuleIndex] : null;
            writer.WriteStartObject();
            if (definition is null)
            {
                writer.WriteNull("rule");
                writer.WriteString("level", "None");
            }
            else
            {
                writer.WriteNumber("rule", rule.RuleIndex);
                writer.WriteNumber("line", definition.Location.Line);
                writer.WriteString("level", definition.Level);
                writer.WriteString("selects", RuleSummary.Describe(definition));
            }

            Volume(writer, "before", rule.Before);
            Volume(writer, "after", rule.After);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("noisiestSources");
        foreach (var source in report.NoisiestSources.Take(top))
        {
            writer.WriteStartObject();
            writer.WriteString("user", source.Key.User);
            writer.WriteString("verb", source.Key.Verb);
            writer.WriteString("target", source.Key.Target);
            if (source.RuleIndex >= 0)
            {
                writer.WriteNumber("rule", source.RuleIndex);
            }
            else
            {
                writer.WriteNull("rule");
            }

            Volume(writer, "before", source.Before);
            Volume(writer, "after", source.After);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteCoverage(writer, report);
        writer.WriteNumber("raised", report.Raised);
        Volume(writer, "missingRequestReceived", report.MissingRequestReceived);
        writer.WriteEndObject();
    }

    /// <summary>The blind spots, and how many needed events (terms) the policy keeps overall.</summary>
    internal static void WriteCoverage(Utf8JsonWriter writer, SimulationReport report)
    {
        writer.WriteStartObject("coverage");
        writer.WriteNumber("rulesNeedingEvents", report.Coverage.Count(c => c.Needed > 0));
        writer.WriteNumber("rulesFullyCovered", report.Coverage.Count(c => c.Needed > 0 && c.Lost == 0));
        writer.WriteNumber("needed", report.Coverage.Sum(c => c.Needed));
        writer.WriteNumber("kept", report.Coverage.Sum(c => c.Kept));
        writer.WriteEndObject();
        writer.WriteStartArray("blindSpots");
        foreach (var coverage in report.BlindSpots.OrderByDescending(c => c.Lost))
        {
            writer.WriteStartObject();
            writer.WriteString("rule", coverage.Need.Name);
            writer.WriteString("needs", coverage.Need.Level.ToWireName());
            writer.WriteString("counts", coverage.Need.Kind == Auditrail.AuditPolicy.Needs.NeedKind.Terms ? "terms" : "events");
            writer.WriteNumber("needed", coverage.Needed);
            writer.WriteNumber("kept", coverage.Kept);
            writer.WriteNumber("dropped", coverage.Dropped);
            writer.WriteNumber("stageOmitted", coverage.StageOmitted);
            writer.WriteNumber("tooLow", coverage.TooLow);
            writer.WriteString("example", coverage.Example);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void Volume(Utf8JsonWriter writer, string name, Volume volume)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("events", volume.Events);
        writer.WriteNumber("bytes", volume.Bytes);
        writer.WriteEndObject();
    }
}
