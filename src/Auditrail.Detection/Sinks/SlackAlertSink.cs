using System.Text;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Posts to a Slack incoming webhook: one message per batch, with a plain <c>text</c> fallback (what
/// notifications show) and a section block per alert with severity, rule, identity, target, source IP and message.
/// The webhook URL itself is the secret, so only its host appears in errors.
/// </summary>
public sealed class SlackAlertSink(string name, HttpClient client, Uri webhookUrl) : IAlertSink
{
    // Slack rejects messages with more than 50 blocks; alerts past that are summarised in a final context block.
    private const int MaxAlertBlocks = 45;

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken) =>
        JsonPost.SendAsync(client, webhookUrl, Name, bearerToken: null, writer => WriteMessage(writer, batch), cancellationToken);

    /// <summary>Names the sink and host only.</summary>
    public override string ToString() => $"slack '{Name}' → {webhookUrl.Host}";

    internal static void WriteMessage(Utf8JsonWriter writer, IReadOnlyList<Alert> batch)
    {
        writer.WriteStartObject();
        writer.WriteString("text", batch.Count == 1 ? Headline(batch[0]) : $"{batch.Count} Auditrail alerts, most severe: {batch.Max(a => a.Severity).ToWireName()}");
        writer.WriteStartArray("blocks");
        foreach (var alert in batch.Take(MaxAlertBlocks))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "section");
            writer.WriteStartObject("text");
            writer.WriteString("type", "mrkdwn");
            writer.WriteString("text", Describe(alert));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        if (batch.Count > MaxAlertBlocks)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "context");
            writer.WriteStartArray("elements");
            writer.WriteStartObject();
            writer.WriteString("type", "mrkdwn");
            writer.WriteString("text", $"…and {batch.Count - MaxAlertBlocks} more alerts");
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string Headline(Alert alert) => Escape($"[{alert.Severity.ToWireName()}] {alert.Rule}: {alert.Message}");

    private static string Describe(Alert alert)
    {
        var text = new StringBuilder();
        text.Append("*[").Append(alert.Severity.ToWireName()).Append("]* *").Append(Escape(alert.Rule)).Append('*');
        if (alert.Count > 1)
        {
            text.Append(" ×").Append(alert.Count);
        }

        text.Append('\n').Append(Escape(alert.Message));
        AppendField(text, "Identity", alert.Identity);
        AppendField(text, "Impersonator", alert.Impersonator);
        AppendField(text, "Target", alert.Target);
        AppendField(text, "Source IP", alert.SourceIp);
        AppendField(text, "Cluster", alert.Cluster);
        if (alert.Time is { } time)
        {
            AppendField(text, "Time", JsonPost.Format(time));
        }

        return text.ToString();
    }

    private static void AppendField(StringBuilder text, string label, string? value)
    {
        if (value is not null)
        {
            text.Append("\n*").Append(label).Append(":* `").Append(Escape(value).Replace('`', '\'')).Append('`');
        }
    }

    // Slack's mrkdwn treats &, < and > as control characters; user names like "system:serviceaccount:<ns>" must survive.
    private static string Escape(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
