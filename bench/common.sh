# Sourced by the whole-process comparisons: builds the CLI in Release once, generates (or reuses) the
# shared input of $events events and warms the page cache, so every contender reads the same bytes
# from memory. Sets root, file, bytes and auditrail (the built apphost).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build -c Release "$root/src/Auditrail.Cli" -o "$root/artifacts/cli" >/dev/null
file="$(dotnet run -c Release --project "$root/bench/Auditrail.Benchmarks" -- generate "$events" | tail -1)"
bytes=$(stat -c %s "$file")
auditrail="$root/artifacts/cli/auditrail"
cat "$file" >/dev/null # warm the page cache for every contender alike
