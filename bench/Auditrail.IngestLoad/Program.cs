using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Auditrail.Bench;
using Auditrail.IngestLoad;
using Auditrail.Testing;

if (!ToolArguments.TryParse(IngestLoadOptions.Parse, args, IngestLoadOptions.Usage, out var options))
{
    return 2;
}

var generating = Stopwatch.StartNew();
var pool = BatchCorpus.Build(options.PoolEvents, options.BatchSize, options.TriggerEvery, seed: 42);
Console.Error.WriteLine($"{pool.Count} batches of {options.BatchSize} ({pool.Sum(b => (long)b.Body.Length) / pool.Count:N0} bytes each on average) generated in {generating.Elapsed.TotalSeconds:0.0} s; "
    + $"one event in {options.TriggerEvery} triggers {BatchCorpus.TriggerRule}");

await using var listener = new LoopbackReceiver(options.AlertPort);
var token = File.ReadAllText(options.TokenFile!).Trim();
using var runner = new IngestRunner(options, pool, token);
await runner.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
Console.Error.WriteLine($"sending for {options.Duration.TotalSeconds:0} s over {options.Connections} connections to {options.Url}{options.IngestPath.TrimStart('/')}"
    + (options.EventsPerSecond is { } pace ? $", paced at {pace:N0} events/s" : ", as fast as acknowledged"));
var sent = await runner.RunAsync();

// Every alert expected: wait for the sink to deliver them (or the drain limit).
var waiting = Stopwatch.StartNew();
var arrivals = AlertArrivals.From(listener.Requests);
while (runner.TriggersSent.Keys.Any(id => !arrivals.First.ContainsKey(id)) && waiting.Elapsed < options.DrainTimeout)
{
    await Task.Delay(200);
    arrivals = AlertArrivals.From(listener.Requests);
}

var cluster = options.IngestPath.Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, _, var name] ? name : null;
var (stored, storedBy) = await StoredEvents.WaitForAsync(runner.Client, cluster, sent.AckedRequests, options.DrainTimeout);
// How fast the server took events all the way into the store: from the first send to the last count change.
var storedPerSecond = stored / ((storedBy - runner.Started) / (double)Stopwatch.Frequency);
var latencies = runner.TriggersSent
    .Where(t => arrivals.First.ContainsKey(t.Key))
    .Select(t => (arrivals.First[t.Key] - t.Value) * 1000.0 / Stopwatch.Frequency)
    .Order()
    .ToArray();
double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Clamp((int)Math.Ceiling(p / 100 * latencies.Length) - 1, 0, latencies.Length - 1)];
var missingAlerts = runner.TriggersSent.Count - latencies.Length;
var lost = sent.AckedRequests - stored;
var steady = sent.AckedPerSecond.Length > 4 ? sent.AckedPerSecond[2..^1].Order().ElementAt((sent.AckedPerSecond.Length - 3) / 2) : (long)sent.EventsPerSecond;

if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        connections = options.Connections,
        batchSize = options.BatchSize,
        seconds = Math.Round(sent.Elapsed.TotalSeconds, 2),
        ackedEvents = sent.AckedEvents,
        ackedRequests = sent.AckedRequests,
        storedPerSecond = Math.Round(storedPerSecond),
        pacedEventsPerSecond = options.EventsPerSecond,
        eventsPerSecond = Math.Round(sent.EventsPerSecond),
        medianSecondEventsPerSecond = steady,
        tooManyRequests = sent.TooManyRequests,
        failedBatches = sent.FailedBatches,
        storedEvents = stored,
        lostEvents = lost,
        triggers = runner.TriggersSent.Count,
        alertsMissing = missingAlerts,
        alertDuplicates = arrivals.Repeated,
        p50Ms = Math.Round(Percentile(50), 1),
        p90Ms = Math.Round(Percentile(90), 1),
        p99Ms = Math.Round(Percentile(99), 1),
        maxMs = Math.Round(Percentile(100), 1),
        cores = Environment.ProcessorCount,
    }));
}
else
{
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(inv, $"acknowledged {sent.AckedEvents:N0} events in {sent.AckedBatches:N0} batches over {sent.Elapsed.TotalSeconds:0.0} s ({sent.FailedBatches:N0} batches refused for good)"));
    Console.WriteLine(string.Create(inv, $"throughput   {sent.EventsPerSecond:N0} events/s overall, {steady:N0} events/s median second; {sent.TooManyRequests:N0} answers 429 (retried)"));
    Console.WriteLine(string.Create(inv, $"stored       {stored:N0} of {sent.AckedRequests:N0} acknowledged requests (distinct auditIDs): {lost:N0} missing; {storedPerSecond:N0} events/s from first send to last stored"));
    Console.WriteLine(string.Create(inv, $"alerts       {latencies.Length:N0} of {runner.TriggersSent.Count:N0} triggers alerted ({arrivals.Repeated:N0} repeated), {arrivals.Alerts:N0} alerts received"));
    Console.WriteLine(string.Create(inv, $"event→alert  p50 {Percentile(50):0.0} ms  p90 {Percentile(90):0.0} ms  p99 {Percentile(99):0.0} ms  max {Percentile(100):0.0} ms ({Environment.ProcessorCount} cores shared by server and client)"));
}

return lost == 0 && missingAlerts == 0 && sent.FailedBatches == 0 ? 0 : 1;
