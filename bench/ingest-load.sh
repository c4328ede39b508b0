#!/usr/bin/env bash
# Load benchmark of the audit webhook ingest on loopback: builds the CLI and the load tool in Release,
# starts `auditrail serve` with the default rule pack, a fresh data directory on disk (not tmpfs, so
# the write-ahead queue's fsync is real) and a webhook sink pointing at the load tool's own listener;
# posts EventList batches of 400 generated events over N keep-alive connections with the bearer token,
# retrying 429s as kube-apiserver does; then reports acknowledged events/s, 429s, events lost
# (acknowledged but not in the store, counted through /api/v1/sql) and event-to-alert latency p50/p99
# of the events that trigger the stateless rule events-deleted. Stops the server.
#
#   bench/ingest-load.sh [--seconds N] [--connections N] [--flush DURATION] [-- LOAD-TOOL-ARGS...]
#
# --flush sets detection.flushInterval (the pipeline's commit cadence under sustained load); load-tool
# arguments include --rate EVENTS/S, which paces the senders to measure latency at a load the server
# keeps up with.
#
# Client and server share the machine's cores: on a small machine the client's own CPU (generating is
# done before the clock starts; sending is not free) is part of what is measured.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=20 connections=8 flush="" port="${INGEST_LOAD_PORT:-18444}" alert_port="${INGEST_LOAD_ALERT_PORT:-18099}"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --flush) flush="$2"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

dotnet build -c Release "$root/src/Auditrail.Cli" -o "$root/artifacts/cli" >/dev/null
dotnet build -c Release "$root/bench/Auditrail.IngestLoad" -o "$root/artifacts/ingest-load" >/dev/null

work="$root/artifacts/ingest-load-run"
rm -rf "$work" && mkdir -p "$work"
# One token for ingest and the admin SQL the loss count uses; never inline in the configuration.
head -c 32 /dev/urandom | base64 | tr -d '\n' >"$work/token" && chmod 600 "$work/token"
cat >"$work/serve.yaml" <<YAML
apiVersion: auditrail.io/v1alpha1
kind: ServeConfiguration
listen: 127.0.0.1:$port
logging: { level: warning, format: text }
dataDirectory: data
ingest:
  tokens: [{ file: token, scopes: [ingest] }]
api:
  tokens: [{ file: token, scopes: [admin] }]
detection:
  rules: [default]
${flush:+  flushInterval: $flush}
sinks:
  - name: bench
    type: webhook
    url: http://127.0.0.1:$alert_port/alerts
    rules: [events-deleted]
    queueCapacity: 100000
YAML

"$root/artifacts/cli/auditrail" serve --config "$work/serve.yaml" 2>"$work/serve.log" &
server=$!
stop() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  grep -v '^warning: ' "$work/serve.log" | grep -iE 'error|exception' >&2 || true
  echo "store and log kept in $work" >&2
}
trap stop EXIT

echo "load: $connections connections for ${seconds}s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$root/artifacts/ingest-load/Auditrail.IngestLoad" --url "http://127.0.0.1:$port" --token-file "$work/token" \
  --alert-port "$alert_port" --seconds "$seconds" --connections "$connections" "${extra[@]}"
