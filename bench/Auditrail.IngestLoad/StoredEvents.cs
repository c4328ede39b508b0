using System.Net.Http.Json;
using System.Text.Json;

namespace Auditrail.IngestLoad;

/// <summary>Asks the server how many distinct requests its store holds, through the admin SQL endpoint.</summary>
internal static class StoredEvents
{
    public static async Task<long> CountAsync(HttpClient client, string? cluster)
    {
        var filter = cluster is null ? string.Empty : $" WHERE cluster = '{cluster}'";
        using var response = await client.PostAsJsonAsync(new Uri("/api/v1/sql", UriKind.Relative), new { sql = $"SELECT count(DISTINCT audit_id) AS n FROM events{filter}" });
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return FirstNumber(document.RootElement) ?? throw new InvalidOperationException("the SQL answer holds no count");
    }

    /// <summary>The first number in the answer: the one cell of a one-row, one-column result, whatever the envelope.</summary>
    private static long? FirstNumber(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetInt64(),
        JsonValueKind.Array => element.EnumerateArray().Select(FirstNumber).FirstOrDefault(n => n is not null),
        JsonValueKind.Object => element.EnumerateObject().Where(p => p.Name != "limit").Select(p => FirstNumber(p.Value)).FirstOrDefault(n => n is not null),
        _ => null,
    };

    /// <summary>
    /// Polls until the store holds <paramref name="expected"/> requests, or the count stops moving for 20 s,
    /// or the limit passes; returns the count and when it last changed (Stopwatch ticks).
    /// </summary>
    public static async Task<(long Count, long LastChange)> WaitForAsync(HttpClient client, string? cluster, long expected, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long last = -1;
        var lastChange = clock.Elapsed;
        var lastChangeTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var count = await CountAsync(client, cluster);
            if (count != last)
            {
                last = count;
                lastChange = clock.Elapsed;
                lastChangeTicks = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            if (count >= expected || clock.Elapsed > limit || clock.Elapsed - lastChange > TimeSpan.FromSeconds(20))
            {
                return (count, lastChangeTicks);
            }

            await Task.Delay(500);
        }
    }
}
