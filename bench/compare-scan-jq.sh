#!/usr/bin/env bash
# Whole-process comparison of `auditrail scan` (full default pack, JSON alerts to /dev/null) on one and
# two threads against a jq filter of about the same selectivity, on the same generated file, measured
# in one run so the ratios are meaningful on a noisy machine. Each contender runs RUNS times in turn
# (interleaved, so a burst of load elsewhere hits all of them alike) and its best wall time counts.
# Usage: bench/compare-scan-jq.sh [EVENTS] [RUNS]
set -euo pipefail
events="${1:-1000000}"
runs="${2:-3}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

declare -A best_wall best_cpu
run() { # run NAME COMMAND...: one timed run; keeps the best wall time and its user+sys CPU time
  local name="$1"
  shift
  local times out
  times=$(mktemp)
  /usr/bin/time -o "$times" -f "%e %U %S" "$@" >/dev/null 2>/dev/null || true
  out=$(tail -1 "$times")
  rm -f "$times"
  local wall cpu
  wall=$(echo "$out" | cut -d' ' -f1)
  cpu=$(echo "$out" | awk '{print $2 + $3}')
  if [[ -z "${best_wall[$name]:-}" ]] || (( $(echo "$wall < ${best_wall[$name]}" | bc -l) )); then
    best_wall[$name]=$wall
    best_cpu[$name]=$cpu
  fi
}

echo "input: $file ($events events, $bytes bytes), $(nproc) cores, best of $runs runs"
for _ in $(seq "$runs"); do
  run jq jq -c 'select(.verb=="delete" and .objectRef.resource=="secrets")' "$file"
  run scan1 "$auditrail" scan "$file" -o json --no-progress --threads 1
  run scan2 "$auditrail" scan "$file" -o json --no-progress --threads 2
done

line() { # line LABEL NAME
  local wall=${best_wall[$2]} cpu=${best_cpu[$2]}
  printf "%-44s %7.2f s wall %7.2f s cpu %10.0f events/s" "$1" "$wall" "$cpu" "$(echo "$events / $wall" | bc -l)"
}
echo "$(line "jq select(delete secrets)" jq)"
echo "$(line "auditrail scan --threads 1 (default pack)" scan1)  $(printf '%5.2f' "$(echo "${best_wall[jq]} / ${best_wall[scan1]}" | bc -l)")x jq"
echo "$(line "auditrail scan --threads 2 (default pack)" scan2)  $(printf '%5.2f' "$(echo "${best_wall[jq]} / ${best_wall[scan2]}" | bc -l)")x jq  $(printf '%5.2f' "$(echo "${best_wall[scan1]} / ${best_wall[scan2]}" | bc -l)")x one thread"
