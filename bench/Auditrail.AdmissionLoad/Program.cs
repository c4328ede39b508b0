using System.Globalization;
using System.Text.Json;
using Auditrail.Bench;
using Auditrail.AdmissionLoad;

if (!ToolArguments.TryParse(LoadOptions.Parse, args, LoadOptions.Usage, out var options))
{
    return 2;
}

var bodies = ReviewCorpus.Build(options.Reviews, seed: 8);
using var runner = new LoadRunner(options, bodies);
await runner.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
Console.Error.WriteLine($"{bodies.Count} reviews, {bodies.Average(b => b.Length):N0} bytes on average; {options.Concurrency} in flight to {options.Url} /{options.Endpoint}");
if (options.Warmup > TimeSpan.Zero)
{
    await runner.RunAsync(options.Warmup, options.MaxRequests);
}

var result = await runner.RunAsync(options.Duration, options.MaxRequests);
var cores = Environment.ProcessorCount;
if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        endpoint = options.Endpoint,
        concurrency = options.Concurrency,
        seconds = Math.Round(result.Elapsed.TotalSeconds, 2),
        reviews = result.Reviews,
        failures = result.Failures,
        denied = result.Denied,
        reviewsPerSecond = Math.Round(result.ReviewsPerSecond),
        reviewsPerSecondPerCore = Math.Round(result.ReviewsPerSecond / cores),
        cores,
        p50Ms = Math.Round(result.Percentile(50), 3),
        p90Ms = Math.Round(result.Percentile(90), 3),
        p99Ms = Math.Round(result.Percentile(99), 3),
        p999Ms = Math.Round(result.Percentile(99.9), 3),
        maxMs = Math.Round(result.Percentile(100), 3),
    }));
}
else
{
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(inv, $"reviews      {result.Reviews:N0} in {result.Elapsed.TotalSeconds:0.0} s ({result.Failures:N0} failed, {result.Denied:N0} denied)"));
    Console.WriteLine(string.Create(inv, $"throughput   {result.ReviewsPerSecond:N0} reviews/s ({result.ReviewsPerSecond / cores:N0} per core, {cores} cores shared by server and client)"));
    Console.WriteLine(string.Create(inv, $"latency ms   p50 {result.Percentile(50):0.000}  p90 {result.Percentile(90):0.000}  p99 {result.Percentile(99):0.000}  p99.9 {result.Percentile(99.9):0.000}  max {result.Percentile(100):0.000}"));
}

return result.Failures == 0 ? 0 : 1;
