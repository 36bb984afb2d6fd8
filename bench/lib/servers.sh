# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # results are read, and `tmp` set, by the scripts that source this
# Sourced by bench/rush-smoke and bench/run: starts the servers a benchmark needs
# on 127.0.0.1, remembers their pids and private databases, and removes both when
# the caller's EXIT trap calls servers_cleanup. Messages name the calling script.
#
# The caller sets `tmp` (a folder it owns; logs go there) before start_concertd.

servers_me="${0##*/}"
pids=()         # every process started here, stopped by its pid
databases=()    # private MariaDB databases, dropped at exit
mariadb_cmd=()  # mariadb client on the test server (use_test_mysql)

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

die() {
  echo "$servers_me: $*" >&2
  exit 1
}

# stop_pids PID... : TERM, up to 15 s to go, then KILL; forgets them.
stop_pids() {
  local pid keep=() gone=" $* "
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do [[ "$gone" == *" $pid "* ]] || keep+=("$pid"); done
  pids=("${keep[@]}")
}

# shellcheck disable=SC2317  # runs from the caller's EXIT trap
servers_cleanup() {
  local db
  if ((${#pids[@]})); then stop_pids "${pids[@]}"; fi
  for db in "${databases[@]}"; do
    "${mariadb_cmd[@]}" -e "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  done
  databases=()
}

# start_concertd NAME CONCERTD ARGS... : starts CONCERTD ARGS --listen 127.0.0.1:0
# (or :$listen_port when set) with its log in $tmp/NAME.log, waits for the port it
# reports, and sets started_pid and started_port. concert-pgsim starts the same way.
started_pid=""
started_port=""
start_concertd() {
  local name="$1" binary="$2" log="$tmp/$1.log" pid port=""
  shift 2
  # Appended, so that a caller may truncate the log while the server runs.
  "$binary" "$@" --listen "127.0.0.1:${listen_port:-0}" >>"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 200); do
    port=$(grep -o '"address":"127\.0\.0\.1:[0-9]*"' "$log" 2>/dev/null | head -n1 | grep -o '[0-9]*"$' | tr -d '"' || true)
    [[ -n "$port" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$servers_me: $name exited during start-up:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    echo "$servers_me: $name did not report its port in 20 s" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  started_pid="$pid"
  started_port="$port"
}

# dead_servers PID... : prints a line for each one that is gone; fails if any is.
dead_servers() {
  local pid status=0
  for pid in "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$servers_me: concertd (pid $pid) is gone" >&2
      status=1
    fi
  done
  return "$status"
}

# show_log_problems LOG... : the last warnings, errors and 5xx answers of each log.
show_log_problems() {
  local log
  for log in "$@"; do
    echo "--- $log: warnings, errors and 5xx answers (last 20)" >&2
    grep -E '"level":"(warning|warn|error|critical)"|"status":5[0-9][0-9]' "$log" | tail -n 20 >&2 || true
  done
}

# use_test_mysql: the MariaDB of CONCERTD_TEST_MYSQL_URL (scripts/test-services);
# sets db_user, db_pass, db_host, db_port and mariadb_cmd.
use_test_mysql() {
  if [[ ! "$CONCERTD_TEST_MYSQL_URL" =~ ^mysql://([^:@/]+):([^@]*)@([^:/]+):([0-9]+)/ ]]; then
    die "CONCERTD_TEST_MYSQL_URL is not mysql://user:pass@host:port/db"
  fi
  db_user="${BASH_REMATCH[1]}" db_pass="${BASH_REMATCH[2]}" db_host="${BASH_REMATCH[3]}" db_port="${BASH_REMATCH[4]}"
  mariadb_cmd=(mariadb --no-defaults --protocol=TCP -h "$db_host" -P "$db_port" -u "$db_user" "-p$db_pass")
}

# create_database PREFIX : a new, empty database PREFIX_<random>, dropped at exit;
# sets database_url to its mysql:// URL. Needs use_test_mysql first.
database_url=""
create_database() {
  local name
  name="$1_$(random_hex 6)"
  "${mariadb_cmd[@]}" -e "CREATE DATABASE $name"
  databases+=("$name")
  database_url="mysql://$db_user:$db_pass@$db_host:$db_port/$name"
}

# Every fan of a benchmark comes from 127.0.0.1: the abuse limits per address
# are off (the per-user ones stay on), as JSON "key": value pairs.
readonly loopback_fans_config='"limit_entry_address_per_second": 0, "limit_write_address_per_second": 0'

# write_rush_config FILE REDIS_KEY_PREFIX [EXTRA] : concertd's configuration for a
# rush. Short holds so abandoned seats come back (and sell again) within the run;
# fast workers so the relay and the sweep settle within concert-rush's few
# seconds; a gateway that takes a moment, so double clicks and retries meet a
# payment in flight; the per-user abuse limits of a real sale, but none per
# address (loopback_fans_config). EXTRA: more "key": value pairs.
write_rush_config() {
  cat >"$1" <<EOF
{"hold_ttl_seconds": 3, "sweep_interval_ms": 100, "relay_interval_ms": 100, "promotion_interval_ms": 50,
 "sandbox_latency_ms": 20, $loopback_fans_config, "redis_key_prefix": "$2"${3:+, $3}}
EOF
}

# How the fans of a rush behave: the same in the smoke test and the benchmark.
rush_fan_flags=(--seed 7 --abandon-rate 0.1 --duplicate-click-rate 0.15 --retry-rate 0.1 --cancel-rate 0.1
  --refund-rate 0.1)
