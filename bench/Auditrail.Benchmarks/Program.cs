using Auditrail.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/Auditrail.Benchmarks -- --filter '*'` runs every benchmark;
// `-- generate N` only writes the shared input (used by bench/compare-jq.sh).
if (args is ["generate", var count])
{
    Console.WriteLine(BenchmarkData.LogFile(long.Parse(count, System.Globalization.CultureInfo.InvariantCulture)));
    return 0;
}

// `-- state-memory KIND [KEYS]` measures one stateful detector holding KEYS keys (bench/state-memory.sh).
if (args is ["state-log", var logKeys, var logPath])
{
    return StateMemory.WriteLog(int.Parse(logKeys, System.Globalization.CultureInfo.InvariantCulture), logPath);
}

if (args is ["state-rules", var ruleKind, var rulePath])
{
    return StateMemory.WriteRules(ruleKind, rulePath);
}

if (args is ["state-memory", var kind, .. var rest])
{
    return StateMemory.Run(kind, rest is [var keys] ? int.Parse(keys, System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

// `-- storage EVENTS_PER_ROUND ROUNDS PATH` fills an event store with generated traffic (bench/storage.sh).
if (args is ["storage", var perRound, var rounds, var storePath])
{
    return StorageBenchmark.Run(long.Parse(perRound, System.Globalization.CultureInfo.InvariantCulture), int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), storePath);
}

BenchmarkSwitcher.FromAssembly(typeof(ReaderBenchmarks).Assembly).Run(args);
return 0;
