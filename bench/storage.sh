#!/usr/bin/env bash
# The event store at scale: append rate, bytes on disk versus raw JSON, and `who` latency.
#   bash bench/storage.sh [EVENTS_PER_ROUND] [ROUNDS]     (default 1,000,000 × 10 = 10M events)
# Generated traffic is streamed through the reader into the store, so the ~12 GB of JSON never
# lands on disk; the store file (a few GB) is deleted at the end. Needs free disk for the store.
set -euo pipefail
cd "$(dirname "$0")/.."
per_round="${1:-1000000}"
rounds="${2:-10}"
work="${TMPDIR:-/tmp}/auditrail-storage-bench"
mkdir -p "$work"
df -h "$work" | tail -1
dotnet build -c Release bench/Auditrail.Benchmarks -v quiet -nologo >/dev/null
bench=bench/Auditrail.Benchmarks/bin/Release/net10.0/Auditrail.Benchmarks.dll
trap 'rm -rf "$work"' EXIT
/usr/bin/time -f 'peak RSS %M KiB, %e s wall, %U s user' dotnet "$bench" storage "$per_round" "$rounds" "$work/bench.duckdb"
