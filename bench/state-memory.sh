#!/usr/bin/env bash
# Memory of stateful rules with a million live keys each (every event brings a new key, so nothing is
# shared or evicted). Two figures per detector kind:
#   - peak resident memory of the whole `auditrail scan` process (what a user sees; target < 300 MB);
#   - managed bytes per key held after a full collection, measured in-process.
#   bash bench/state-memory.sh [KEYS]
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000000}"
work="${TMPDIR:-/tmp}/auditrail-state-memory"
mkdir -p "$work"
dotnet build -c Release src/Auditrail.Cli -v quiet -nologo >/dev/null
dotnet build -c Release bench/Auditrail.Benchmarks -v quiet -nologo >/dev/null
bench=bench/Auditrail.Benchmarks/bin/Release/net10.0/Auditrail.Benchmarks.dll
cli=src/Auditrail.Cli/bin/Release/net10.0/auditrail.dll
log="$work/unique-$keys.jsonl"
[ -f "$log" ] || dotnet "$bench" state-log "$keys" "$log"
printf '%-10s %14s  %s\n' kind "peak RSS (MB)" "in-process"
for kind in threshold distinct sequence newTerms rate; do
  dotnet "$bench" state-rules "$kind" "$work/$kind.yaml"
  /usr/bin/time -o "$work/$kind.time" -f '%M' dotnet "$cli" scan "$log" --rules "$work/$kind.yaml" --threads 1 --no-progress -o json >/dev/null 2>"$work/$kind.err"
  inproc=$(dotnet "$bench" state-memory "$kind" "$keys" 2>/dev/null)
  printf '%-10s %14d  %s\n' "$kind" "$(( $(cat "$work/$kind.time") / 1024 ))" "${inproc#*: }"
done
