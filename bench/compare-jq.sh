#!/usr/bin/env bash
# Whole-process comparison against jq on the same generated file, measured in one run so the ratio
# is meaningful on a noisy machine. Usage: bench/compare-jq.sh [EVENTS] [RUNS]
set -euo pipefail
events="${1:-1000000}"
runs="${2:-3}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

best() { # best wall time in seconds of $runs runs of "$@"
  local best=""
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    local t
    t=$(echo "$end - $start" | bc -l)
    if [[ -z "$best" ]] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  echo "$best"
}

echo "input: $file ($events events, $bytes bytes)"
jq_time=$(best jq -c . "$file")
read_time=$(best "$auditrail" read "$file")
stats_time=$(best "$auditrail" read "$file" --stats -o json)
printf "%-40s %8.2f s %8.1f MB/s\n" "jq -c ." "$jq_time" "$(echo "$bytes / $jq_time / 1000000" | bc -l)"
printf "%-40s %8.2f s %8.1f MB/s  %5.1fx jq\n" "auditrail read (normalized JSON out)" "$read_time" "$(echo "$bytes / $read_time / 1000000" | bc -l)" "$(echo "$jq_time / $read_time" | bc -l)"
printf "%-40s %8.2f s %8.1f MB/s  %5.1fx jq\n" "auditrail read --stats" "$stats_time" "$(echo "$bytes / $stats_time / 1000000" | bc -l)" "$(echo "$jq_time / $stats_time" | bc -l)"
