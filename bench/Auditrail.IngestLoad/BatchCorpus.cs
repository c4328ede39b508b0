using System.Text;
using System.Text.Json;
using Auditrail.LogGenerator;

namespace Auditrail.IngestLoad;

/// <summary>
/// One EventList body of the pool, with where each auditID value starts, which of them should alert, and
/// how many requests it is the first to name (a watch's ResponseStarted and ResponseComplete share one
/// auditID, and the store keeps one row per request).
/// </summary>
internal sealed record PoolBatch(byte[] Body, int[] AuditIdOffsets, int[] TriggerIndexes, int NewRequests);

/// <summary>
/// A pool of EventList bodies of generated cluster traffic, replayed for as long as the run lasts. Each
/// replay round overwrites the first 8 hex digits of every auditID with the round number, so every event
/// sent is a new request to the server (the store keeps one row per auditID) without regenerating.
/// Every <c>triggerEvery</c>-th event is replaced by a request the default pack's stateless rule
/// <see cref="TriggerRule"/> alerts on: a person deleting Events.
/// </summary>
internal static class BatchCorpus
{
    /// <summary>The default pack's rule the trigger events match (rules/default/defense-evasion.yaml).</summary>
    public const string TriggerRule = "events-deleted";

    private static readonly byte[] AuditIdKey = "\"auditID\":\""u8.ToArray();

    public static List<PoolBatch> Build(int events, int batchSize, int triggerEvery, long seed)
    {
        var output = new MemoryStream();
        // As the recommended audit policy writes (omitStages: RequestReceived); attacks off, so the
        // triggers are the only alerts the sink filter lets through.
        new AuditLogGenerator(new GeneratorOptions { Seed = seed, AttackShare = 0, EmitRequestReceived = false }).Write(output, events);
        var lines = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var random = new Random((int)seed);
        var batches = new List<PoolBatch>();
        // Requests by the part of the auditID that the replay stamp leaves alone.
        var requests = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < lines.Length; start += batchSize)
        {
            var body = new MemoryStream();
            var offsets = new List<int>();
            var triggers = new List<int>();
            var newRequests = 0;
            body.Write("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["u8);
            for (var i = start; i < Math.Min(start + batchSize, lines.Length); i++)
            {
                if (i > start)
                {
                    body.WriteByte((byte)',');
                }

                var isTrigger = triggerEvery > 0 && (i + 1) % triggerEvery == 0;
                var line = Encoding.UTF8.GetBytes(isTrigger ? Trigger(lines[i], random) : lines[i]);
                var key = line.AsSpan().IndexOf(AuditIdKey);
                if (isTrigger)
                {
                    triggers.Add(offsets.Count);
                }

                var idStart = key + AuditIdKey.Length;
                offsets.Add((int)body.Position + idStart);
                if (requests.Add(Encoding.ASCII.GetString(line, idStart + 8, 28)))
                {
                    newRequests++;
                }

                body.Write(line);
            }

            body.Write("]}"u8);
            batches.Add(new PoolBatch(body.ToArray(), [.. offsets], [.. triggers], newRequests));
        }

        return batches;
    }

    /// <summary>Writes <paramref name="round"/> as 8 lowercase hex digits over the start of every auditID of <paramref name="body"/>.</summary>
    public static void Stamp(Span<byte> body, int[] offsets, int round)
    {
        Span<byte> hex = stackalloc byte[8];
        for (var d = 7; d >= 0; d--)
        {
            hex[d] = (byte)"0123456789abcdef"[(round >> ((7 - d) * 4)) & 0xF];
        }

        foreach (var offset in offsets)
        {
            hex.CopyTo(body[offset..]);
        }
    }

    /// <summary>The auditID (36 characters) starting at <paramref name="offset"/>.</summary>
    public static string AuditIdAt(ReadOnlySpan<byte> body, int offset) => Encoding.ASCII.GetString(body.Slice(offset, 36));

    /// <summary>A person deleting an Event, at the replaced event's time, with a fresh auditID.</summary>
    private static string Trigger(string replaced, Random random)
    {
        using var document = JsonDocument.Parse(replaced);
        var received = document.RootElement.GetProperty("requestReceivedTimestamp").GetString();
        var completed = document.RootElement.GetProperty("stageTimestamp").GetString();
        Span<byte> id = stackalloc byte[16];
        random.NextBytes(id);
        var auditId = new Guid(id).ToString();
        return $$$"""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{{auditId}}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/events/checkout-7d9f.17a2","verb":"delete","user":{"username":"mallory@example.com","groups":["developers","system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3a4f5b6","objectRef":{"resource":"events","namespace":"payments","name":"checkout-7d9f.17a2","apiVersion":"v1"},"responseStatus":{"metadata":{},"status":"Success","code":200},"requestReceivedTimestamp":"{{{received}}}","stageTimestamp":"{{{completed}}}","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
            """;
    }
}
