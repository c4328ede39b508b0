#!/usr/bin/env bash
# Memory of stateful rules with a million live keys each: one process per detector kind, so each
# peak working set is that detector's alone (plus the runtime). Target: under 300 MB.
#   bash bench/state-memory.sh [KEYS]
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000000}"
dotnet build -c Release bench/Auditrail.Benchmarks -v quiet -nologo >/dev/null
dll=bench/Auditrail.Benchmarks/bin/Release/net10.0/Auditrail.Benchmarks.dll
for kind in threshold distinct sequence newTerms rate; do
  dotnet "$dll" state-memory "$kind" "$keys"
done
