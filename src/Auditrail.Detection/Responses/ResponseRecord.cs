using System.Text.Json;
using Auditrail.Core.Writing;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Responses;

/// <summary>What became of one action.</summary>
public enum ResponseOutcome
{
    /// <summary>The API call succeeded.</summary>
    Taken,

    /// <summary>Dry run: the call that would have been made, not made.</summary>
    DryRun,

    /// <summary>Not attempted; <see cref="ResponseRecord.Detail"/> says why.</summary>
    Skipped,

    /// <summary>Attempted and refused or unreachable; <see cref="ResponseRecord.Detail"/> holds the error.</summary>
    Failed,
}

/// <summary>One action taken, simulated, skipped or failed, with the alert that triggered it.</summary>
public sealed record ResponseRecord
{
    public required DateTimeOffset Time { get; init; }
    public required string ResponseRule { get; init; }
    public required string AlertRule { get; init; }
    public required Severity AlertSeverity { get; init; }
    public string? AlertIdentity { get; init; }
    public IReadOnlyList<string> AlertAuditIds { get; init; } = [];
    public required ResponseActionKind Action { get; init; }

    /// <summary>The object acted on as written in the rule or alert; null when there was none.</summary>
    public string? Target { get; init; }

    /// <summary>The API call made or that would be made (<c>PATCH /api/v1/nodes/n</c>); null when skipped before one was known.</summary>
    public string? Request { get; init; }

    public required ResponseOutcome Outcome { get; init; }

    /// <summary>Why it was skipped, or the error it failed with.</summary>
    public string? Detail { get; init; }

    public static ResponseRecord For(ResponseRule rule, Alert alert, ResponseAction action, DateTimeOffset time) => new()
    {
        Time = time,
        ResponseRule = rule.Name,
        AlertRule = alert.Rule,
        AlertSeverity = alert.Severity,
        AlertIdentity = alert.Identity,
        AlertAuditIds = alert.AuditIds,
        Action = action.Kind,
        Target = action.Target ?? alert.Target,
        Outcome = ResponseOutcome.Skipped,
    };

    /// <summary>One JSON object on one line, the record file's format.</summary>
    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", AuditEventJsonWriter.FormatTime(Time));
            writer.WriteString("responseRule", ResponseRule);
            writer.WriteString("alertRule", AlertRule);
            writer.WriteString("alertSeverity", AlertSeverity.ToWireName());
            if (AlertIdentity is not null)
            {
                writer.WriteString("alertIdentity", AlertIdentity);
            }

            writer.WriteStartArray("alertAuditIDs");
            foreach (var id in AlertAuditIds)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteString("action", JsonNamingPolicy.CamelCase.ConvertName(Action.ToString()));
            writer.WriteString("target", Target);
            writer.WriteString("request", Request);
            writer.WriteString("outcome", OutcomeName(Outcome));
            if (Detail is not null)
            {
                writer.WriteString("detail", Detail);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string OutcomeName(ResponseOutcome outcome) => outcome switch
    {
        ResponseOutcome.Taken => "taken",
        ResponseOutcome.DryRun => "dry-run",
        ResponseOutcome.Skipped => "skipped",
        _ => "failed",
    };
}
