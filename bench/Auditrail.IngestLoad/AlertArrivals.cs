using Auditrail.Testing;

namespace Auditrail.IngestLoad;

/// <summary>
/// What reached the webhook sink's listener: for every auditID named by an alert, when it first arrived
/// (Stopwatch ticks), how many alerts arrived, and how many named an auditID a second time.
/// </summary>
internal sealed record AlertArrivals(IReadOnlyDictionary<string, long> First, long Alerts, long Repeated)
{
    public static AlertArrivals From(IEnumerable<RecordedRequest> requests)
    {
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        long alerts = 0, repeated = 0;
        foreach (var request in requests)
        {
            foreach (var alert in request.Json.EnumerateArray())
            {
                alerts++;
                foreach (var id in alert.GetProperty("auditIDs").EnumerateArray())
                {
                    var auditId = id.GetString()!;
                    if (first.TryGetValue(auditId, out var earlier))
                    {
                        repeated++;
                        first[auditId] = Math.Min(earlier, request.Received);
                    }
                    else
                    {
                        first[auditId] = request.Received;
                    }
                }
            }
        }

        return new AlertArrivals(first, alerts, repeated);
    }
}
