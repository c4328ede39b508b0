using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// POSTs each batch as a JSON array of alerts (the same objects <c>auditrail scan -o json</c> prints) to any URL,
/// optionally with a bearer token. The token is only put on the request; it is in no message or ToString.
/// </summary>
public sealed class WebhookAlertSink(string name, HttpClient client, Uri endpoint, string? bearerToken = null) : IAlertSink
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken) =>
        JsonPost.SendAsync(client, endpoint, Name, bearerToken, writer =>
        {
            writer.WriteStartArray();
            foreach (var alert in batch)
            {
                AlertJson.Write(writer, alert);
            }

            writer.WriteEndArray();
        }, cancellationToken);

    /// <summary>Names the sink and host only.</summary>
    public override string ToString() => $"webhook '{Name}' → {endpoint.Host}";
}
