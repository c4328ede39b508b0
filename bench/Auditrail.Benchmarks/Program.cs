using Auditrail.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/Auditrail.Benchmarks -- --filter '*'` runs every benchmark;
// `-- generate N` only writes the shared input (used by bench/compare-jq.sh).
if (args is ["generate", var count])
{
    Console.WriteLine(BenchmarkData.LogFile(long.Parse(count, System.Globalization.CultureInfo.InvariantCulture)));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(ReaderBenchmarks).Assembly).Run(args);
return 0;
