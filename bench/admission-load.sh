#!/usr/bin/env bash
# Load benchmark of the admission webhook on loopback: builds the CLI and the load tool in Release,
# starts `auditrail serve` on 127.0.0.1, posts realistic AdmissionReviews at a fixed concurrency
# (each review to /mutate then /validate, as kube-apiserver calls them), prints reviews/s and
# latency percentiles, and stops the server.
#
#   bench/admission-load.sh [--tls] [--seconds N] [--concurrency N] [--config FILE] [-- LOAD-TOOL-ARGS...]
#
# --tls serves HTTPS with a throwaway self-signed certificate (openssl) and the client trusts exactly
# it, as the apiserver trusts its caBundle. --config passes a serve configuration (Pod Security
# defaults, guardrails). Client and server share the machine's cores: on a small machine the client's
# own CPU is a large part of what is measured, so compare runs on the same machine only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10 concurrency=16 tls=0 config="" port="${ADMISSION_LOAD_PORT:-18443}"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tls) tls=1 ;;
    --seconds) seconds="$2"; shift ;;
    --concurrency) concurrency="$2"; shift ;;
    --config) config="$2"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

dotnet build -c Release "$root/src/Auditrail.Cli" -o "$root/artifacts/cli" >/dev/null
dotnet build -c Release "$root/bench/Auditrail.AdmissionLoad" -o "$root/artifacts/admission-load" >/dev/null

work="$(mktemp -d)"
serve=("$root/artifacts/cli/auditrail" serve --listen "127.0.0.1:$port")
load=("$root/artifacts/admission-load/Auditrail.AdmissionLoad" --url "http://127.0.0.1:$port")
if [[ $tls == 1 ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
  serve+=(--tls-cert "$work/tls.crt" --tls-key "$work/tls.key")
  load=("$root/artifacts/admission-load/Auditrail.AdmissionLoad" --url "https://127.0.0.1:$port" --ca "$work/tls.crt")
fi
[[ -n $config ]] && serve+=(--config "$config")

"${serve[@]}" 2>"$work/serve.log" &
server=$!
stop() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  grep -v '^warning: ' "$work/serve.log" | grep -iE 'error|exception' >&2 || true
  rm -rf "$work"
}
trap stop EXIT

echo "load: $concurrency in flight for ${seconds}s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"${load[@]}" --seconds "$seconds" --concurrency "$concurrency" "${extra[@]}"
