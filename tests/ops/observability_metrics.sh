#!/usr/bin/env bash
# `promtool check metrics` on the live /metrics of an embedded concertd (demo
# data, a few requests first so histograms and per-route series carry samples).
#
#   observability_metrics.sh CONCERTD_BINARY
#
# The server runs in a temporary folder on a port the kernel picks, and is
# stopped by its pid when the script exits, whatever happens.
set -euo pipefail

concertd="${1:?usage: observability_metrics.sh CONCERTD_BINARY}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp=$(mktemp -d /tmp/concertd-obs-metrics-XXXXXX)
# shellcheck source=bench/lib/servers.sh
source "$root/bench/lib/servers.sh"
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
  servers_cleanup
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

start_concertd concertd "$concertd" --data-dir "$tmp/data" --demo
base="http://127.0.0.1:$started_port"
for path in /api/v1/concerts /api/v1/concerts/1/schedules /api/v1/schedules/1/seats /api/v1/no-such-route /readyz; do
  curl -s -o /dev/null --max-time 5 "$base$path"
done

curl -sf --max-time 10 -D "$tmp/headers" "$base/metrics" >"$tmp/metrics"
grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/headers" || die "/metrics is not the text format 0.0.4: $(cat "$tmp/headers")"
echo "$(grep -vc '^#' "$tmp/metrics") samples, $(grep -c '^# TYPE' "$tmp/metrics") metric families"
# promtool prints each lint problem and exits non-zero on any.
promtool check metrics <"$tmp/metrics"
echo "promtool check metrics: no problems"
