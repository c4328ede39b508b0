using System.Text;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Posts to the Alertmanager v2 API (<c>POST {base}/api/v2/alerts</c>, a JSON array of postable alerts). Labels
/// identify the alert for grouping and silencing: <c>alertname</c> and <c>rule</c> (the rule name), <c>severity</c>,
/// <c>cluster</c> when known. Annotations carry the human text. <c>startsAt</c> is the event time; <c>endsAt</c> is
/// left to Alertmanager's resolve timeout because an audit alert has no "resolved" event.
/// </summary>
public sealed class AlertmanagerSink : IAlertSink
{
    private readonly HttpClient _client;
    private readonly Uri _endpoint;
    private readonly string? _bearerToken;
    private readonly Uri? _generatorUrl;

    /// <summary>Creates the sink; <paramref name="baseUrl"/> is Alertmanager's root, e.g. <c>http://alertmanager:9093/</c>.</summary>
    public AlertmanagerSink(string name, HttpClient client, Uri baseUrl, Uri? generatorUrl = null, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        Name = name;
        _client = client;
        _endpoint = new Uri(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"), "api/v2/alerts");
        _generatorUrl = generatorUrl;
        _bearerToken = bearerToken;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken) =>
        JsonPost.SendAsync(_client, _endpoint, Name, _bearerToken, writer => WriteAlerts(writer, batch), cancellationToken);

    /// <summary>Names the sink and host only.</summary>
    public override string ToString() => $"alertmanager '{Name}' → {_endpoint.Host}";

    private void WriteAlerts(Utf8JsonWriter writer, IReadOnlyList<Alert> batch)
    {
        writer.WriteStartArray();
        foreach (var alert in batch)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("labels");
            writer.WriteString("alertname", alert.Rule);
            writer.WriteString("rule", alert.Rule);
            writer.WriteString("severity", alert.Severity.ToWireName());
            if (alert.Cluster is not null)
            {
                writer.WriteString("cluster", alert.Cluster);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("annotations");
            writer.WriteString("summary", alert.Message);
            writer.WriteString("description", Description(alert));
            writer.WriteEndObject();
            if (alert.Time is { } time)
            {
                writer.WriteString("startsAt", JsonPost.Format(time));
            }

            if (_generatorUrl is not null)
            {
                writer.WriteString("generatorURL", _generatorUrl.AbsoluteUri);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static string Description(Alert alert)
    {
        var text = new StringBuilder(alert.Message);
        Append(text, "identity", alert.Identity);
        Append(text, "impersonator", alert.Impersonator);
        Append(text, "verb", alert.Verb);
        Append(text, "target", alert.Target);
        Append(text, "source IP", alert.SourceIp);
        if (alert.Count > 1)
        {
            Append(text, "count", alert.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (alert.AuditIds.Count > 0)
        {
            Append(text, "audit IDs", string.Join(", ", alert.AuditIds));
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string label, string? value)
    {
        if (value is not null)
        {
            text.Append('\n').Append(label).Append(": ").Append(value);
        }
    }
}
