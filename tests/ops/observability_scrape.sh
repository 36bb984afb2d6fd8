#!/usr/bin/env bash
# A real Prometheus scrapes three `concertd --profile local` instances (one
# MariaDB, one Redis) through a small ticket rush, with deploy/prometheus's rules
# loaded; then observability_scrape_check.py holds what Prometheus says (the KPI
# queries, every alert, every dashboard query) to what the database, Redis and
# /admin/kpis say.
#
#   observability_scrape.sh CONCERTD_BINARY CONCERT_RUSH_BINARY
#
# Needs CONCERTD_TEST_MYSQL_URL and CONCERTD_TEST_REDIS_URL (scripts/test-services);
# fails without them. Uses a private database and Redis key prefix, so it can run
# next to other tests on the same servers. Every process is started on 127.0.0.1
# and stopped by its pid when the script exits; the whole run takes about a minute.
set -euo pipefail

concertd="${1:?usage: observability_scrape.sh CONCERTD CONCERT_RUSH}"
rush="${2:?concert-rush binary}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
readonly instances=3 users=150 seats=80 duration=20

if [[ -z "${CONCERTD_TEST_MYSQL_URL:-}" || -z "${CONCERTD_TEST_REDIS_URL:-}" ]]; then
  echo "observability_scrape: CONCERTD_TEST_MYSQL_URL and CONCERTD_TEST_REDIS_URL are not set" \
    "(eval \"\$(scripts/test-services start)\"); this test needs a MariaDB and a Redis" >&2
  exit 1
fi
command -v prometheus >/dev/null || { echo "observability_scrape: prometheus is not installed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/concertd-obs-scrape-XXXXXX)
# shellcheck source=bench/lib/servers.sh
source "$root/bench/lib/servers.sh"
# shellcheck source=scripts/lib/free-port.sh
source "$root/scripts/lib/free-port.sh"
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
  local status=$?
  if ((status != 0)); then show_log_problems "$tmp"/*.log; fi
  servers_cleanup
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# --- three instances on a private database and key prefix ------------------------
use_test_mysql
create_database obs
prefix="obs_$(random_hex 4):"
CONCERTD_JWT_SECRET=$(random_hex 32)
export CONCERTD_JWT_SECRET CONCERTD_MYSQL_URL="$database_url" CONCERTD_REDIS_URL="$CONCERTD_TEST_REDIS_URL"
write_rush_config "$tmp/config.json" "$prefix"  # 3 s holds: abandoned ones expire during the sale
urls=() targets=() ledgers=()
for i in $(seq 0 $((instances - 1))); do
  start_concertd "concertd$i" "$concertd" --profile local --data-dir "$tmp/data$i" --config "$tmp/config.json"
  urls+=(--url "http://127.0.0.1:$started_port")
  targets+=("\"127.0.0.1:$started_port\"")
  ledgers+=(--ledger "$tmp/data$i/sandbox-gateway.jsonl")
  # /admin/kpis is asked of the last instance: the first one started holds the
  # worker leases, so its own counters alone could pass for the fleet's.
  last="http://127.0.0.1:$started_port"
done

# --- Prometheus, scraping and evaluating every second ----------------------------
prom_port=$(free_port)
prom="http://127.0.0.1:$prom_port"
cat >"$tmp/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$root/deploy/prometheus/recording.yml", "$root/deploy/prometheus/alerts.yml"]
scrape_configs:
  - job_name: concertd
    static_configs: [{targets: [$(IFS=,; echo "${targets[*]}")]}]
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prometheus-data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
up=""
for _ in $(seq 1 150); do
  up=$(curl -s --max-time 1 "$prom/api/v1/query" --data-urlencode 'query=count(up{job="concertd"} == 1)' |
    grep -o '"value":\[[^]]*\]' | grep -o '"[0-9]*"\]' | tr -d '"]' || true)
  [[ "$up" == "$instances" ]] && break
  sleep 0.2
done
[[ "$up" == "$instances" ]] || die "Prometheus does not see $instances instances up in 30 s (saw '${up:-none}'): $(tail -n 5 "$tmp/prometheus.log")"
echo "Prometheus $prom scrapes concertd at ${targets[*]}"

# --- the sale ---------------------------------------------------------------------
sale_started=$(date +%s)
"$rush" "${urls[@]}" --users "$users" --seats "$seats" --duration "$duration" --ramp 3 --settle 3 \
  --admit-per-second 50 --max-active 50 --active-ttl 60 --connections 8 --seed 11 \
  --abandon-rate 0.2 --duplicate-click-rate 0.05 --retry-rate 0 --cancel-rate 0.05 --refund-rate 0.05 \
  --db "$database_url" --events "$CONCERTD_TEST_REDIS_URL" --redis-prefix "$prefix" "${ledgers[@]}"
dead_servers "${pids[@]}"
sleep 3  # the last changes reach every instance's /metrics and one more scrape

# --- what the stores and /admin/kpis say -------------------------------------------
db=${database_url##*/}
sql() { "${mariadb_cmd[@]}" -N -B "$db" -e "$1"; }
schedule=$(sql "SELECT MAX(id) FROM schedules")
admin_token=$("$concertd" token --profile local --config "$tmp/config.json" --sub obs-admin --role admin)
curl -sf --max-time 10 -H "Authorization: Bearer $admin_token" "$last/api/v1/admin/kpis" >"$tmp/kpis.json"
# promtool's lint on a local-profile instance too: its queue gauges come from Redis.
curl -sf --max-time 10 "$last/metrics" | promtool check metrics
cat >"$tmp/facts.json" <<EOF
{
  "reservations": $(sql "SELECT COUNT(*) FROM reservations"),
  "reservations_expired": $(sql "SELECT COUNT(*) FROM reservations WHERE status = 'EXPIRED'"),
  "reservations_paid": $(sql "SELECT COUNT(*) FROM reservations WHERE status IN ('PAID', 'REFUNDED')"),
  "payments_approved": $(sql "SELECT COUNT(*) FROM payments_main WHERE status IN ('APPROVED', 'REFUND_PENDING', 'REFUNDED')"),
  "payments_unpaid": $(sql "SELECT COUNT(*) FROM payments_main WHERE status IN ('DECLINED', 'FAILED', 'VOID_PENDING', 'VOIDED')"),
  "outbox_rows": $(sql "SELECT COUNT(*) FROM outbox"),
  "outbox_unpublished": $(sql "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"),
  "admissions": $(redis-cli -u "$CONCERTD_TEST_REDIS_URL" ZCARD "${prefix}q:{s:$schedule}:admlog"),
  "waiting": $(redis-cli -u "$CONCERTD_TEST_REDIS_URL" ZCARD "${prefix}q:{s:$schedule}:waiting"),
  "sale_seconds": $(($(date +%s) - sale_started)),
  "instances": $instances,
  "kpis": $(cat "$tmp/kpis.json")
}
EOF
/usr/bin/python3 "$here/observability_scrape_check.py" "$prom" "$tmp/facts.json" "$root"
