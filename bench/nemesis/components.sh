# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # set here, read by bench/concert-nemesis (and the reverse)
# The servers of a nemesis run, each started, killed, stalled and restarted by
# its pid, on loopback ports fixed for the whole run (so a restarted server is
# found where it was). Sourced by bench/concert-nemesis after bench/lib/servers.sh.

mariadb_pid="" redis_pid="" proxy_pid="" haproxy_pid="" pg_pid=""
instance_pid=() instance_port=()
mariadb_port=$(free_port) redis_port=$(free_port) proxy_port=$(free_port) pg_port=$(free_port)
haproxy_port=$(free_port)
restarts=0

# shellcheck disable=SC2317  # runs from the EXIT trap
components_cleanup() {
  local pid
  for pid in "$mariadb_pid" "$redis_pid" "$proxy_pid" "$haproxy_pid"; do
    [[ -n "$pid" ]] || continue
    kill -CONT "$pid" 2>/dev/null || true  # a stalled server cannot act on TERM
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$mariadb_pid" "$redis_pid" "$proxy_pid" "$haproxy_pid"; do
    [[ -n "$pid" ]] || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# The first start makes the data folder and the concertd user; a restart (after
# kill -9) finds them and runs InnoDB's crash recovery.
start_mariadb() {
  local user_flag=()
  if [[ $(id -u) -eq 0 ]]; then user_flag=(--user=root); fi
  if [[ ! -d "$tmp/mysql" ]]; then
    mariadb-install-db --no-defaults --datadir="$tmp/mysql" --auth-root-authentication-method=normal \
      --skip-test-db "${user_flag[@]}" >"$tmp/mysql-install.log" 2>&1
  fi
  mariadbd --no-defaults --datadir="$tmp/mysql" --socket="$tmp/mysql.sock" --port="$mariadb_port" \
    --bind-address=127.0.0.1 --skip-name-resolve --innodb-buffer-pool-size=128M \
    --innodb-flush-log-at-trx-commit=1 --transaction-isolation=REPEATABLE-READ --max-connections=500 \
    "${user_flag[@]}" >>"$tmp/mysql.log" 2>&1 &
  mariadb_pid=$!
  for _ in $(seq 1 300); do
    mariadb --no-defaults --socket="$tmp/mysql.sock" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb --no-defaults --socket="$tmp/mysql.sock" -uroot -e "
    CREATE USER IF NOT EXISTS 'concertd'@'127.0.0.1' IDENTIFIED BY 'concertd';
    GRANT ALL PRIVILEGES ON *.* TO 'concertd'@'127.0.0.1';
    CREATE DATABASE IF NOT EXISTS concertd;" >/dev/null || die "MariaDB did not start (see $tmp/mysql.log)"
}

# With the configuration the project ships (AOF, fsync every second).
start_redis() {
  mkdir -p "$tmp/redis"
  redis-server "$root/deploy/redis.conf" --port "$redis_port" --dir "$tmp/redis" --logfile "$tmp/redis.log" \
    --daemonize no &
  redis_pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  die "Redis did not start (see $tmp/redis.log)"
}

# As after a disk loss: the queue, the stream and the leases are gone.
wipe_and_start_redis() {
  rm -rf "$tmp/redis"
  start_redis
}

# concertd reaches MariaDB through it; the slow-network fault turns its delay on.
start_delay_proxy() {
  python3 "$here/nemesis/delay_proxy.py" "$proxy_port" "$mariadb_port" "$tmp/db-slow.on" 150 >"$tmp/proxy.log" 2>&1 &
  proxy_pid=$!
  for _ in $(seq 1 50); do grep -q "delay proxy" "$tmp/proxy.log" 2>/dev/null && return 0; sleep 0.1; done
  die "the delay proxy did not start"
}

# A restart truncates nothing: start_concertd reads the port from a fresh log.
fresh_log() { if [[ -f "$tmp/$1.log" ]]; then mv "$tmp/$1.log" "$tmp/$1.$((++restarts)).log"; fi; }

start_pgsim() {
  [[ -f "$tmp/pg-secret" ]] || random_hex 24 >"$tmp/pg-secret"
  [[ -f "$tmp/pg-webhook-secret" ]] || random_hex 24 >"$tmp/pg-webhook-secret"
  fresh_log pgsim
  listen_port="$pg_port" start_concertd pgsim "$pgsim" --ledger "$tmp/pg-ledger.sqlite" \
    --secret-file "$tmp/pg-secret" --latency-ms 5 --latency-jitter-ms 5 --seed "$seed"
  pg_pid="$started_pid"
}

start_instance() {
  local i="$1"
  [[ -n "${instance_port[$i]:-}" ]] || instance_port[i]=$(free_port)
  fresh_log "concertd$i"
  listen_port="${instance_port[$i]}" start_concertd "concertd$i" "$concertd" --profile local \
    --data-dir "$tmp/data$i" --config "$tmp/config.json"
  instance_pid[i]="$started_pid"
}

# Round robin over the instances whose /readyz answers 200; when none does (the
# database is down for all), over all of them, so what needs no database (an
# admitted fan's poll, cached reads) is still answered and the rest gets concertd's
# own fast 503. A request the instance could not answer (it died) is answered 503
# with a problem body, as concertd would; a connection refused is retried elsewhere.
start_haproxy() {
  local body
  body='{"type":"urn:concertd:problem:unavailable","title":"Service Unavailable","status":503,"code":"unavailable","detail":"no concertd instance answered; retry shortly"}'
  printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nCache-Control: no-store\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#body}" "$body" >"$tmp/haproxy-503.http"
  {
    echo "global"
    echo "  maxconn 4096"
    echo "  log stdout format raw local0 info"
    echo "defaults"
    echo "  mode http"
    echo "  log global"
    echo "  option httplog"
    echo "  timeout connect 1s"
    echo "  timeout client 30s"
    echo "  timeout server 15s"
    echo "  timeout http-request 10s"
    echo "  retries 2"
    echo "  option redispatch"
    echo "  retry-on conn-failure"
    for code in 502 503 504; do echo "  errorfile $code $tmp/haproxy-503.http"; done
    echo "frontend fans"
    echo "  bind 127.0.0.1:$haproxy_port"
    echo "  option forwardfor"
    echo "  default_backend concertd"
    echo "backend concertd"
    echo "  balance roundrobin"
    echo "  option allbackups"
    echo "  option httpchk GET /readyz"
    echo "  http-check expect status 200"
    echo "  default-server inter 500ms fall 2 rise 2"
    for i in 0 1 2; do echo "  server c$i 127.0.0.1:${instance_port[$i]} check"; done
    for i in 0 1 2; do echo "  server any$i 127.0.0.1:${instance_port[$i]} backup"; done
  } >"$tmp/haproxy.cfg"
  haproxy -c -f "$tmp/haproxy.cfg" >/dev/null || die "haproxy refused its configuration: $(haproxy -c -f "$tmp/haproxy.cfg" 2>&1)"
  haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
  haproxy_pid=$!
  for _ in $(seq 1 50); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$haproxy_port/healthz") == 200 ]] && return 0
    sleep 0.1
  done
  die "HAProxy does not answer (see $tmp/haproxy.log)"
}

# ms until every instance's /readyz answers 200 (checked every 100 ms, up to 15 s), or "null".
all_ready_at() {
  local i ok
  for _ in $(seq 1 150); do
    ok=1
    for i in 0 1 2; do
      [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:${instance_port[$i]}/readyz") == 200 ]] || ok=0
    done
    if ((ok)); then now_ms; return; fi
    sleep 0.1
  done
  echo null
}

# tc netem in a network namespace is what the issue asks for; this kernel may lack it.
netem_available() { unshare --net sh -c 'ip link set lo up && tc qdisc add dev lo root netem delay 1ms' 2>/dev/null; }

# kill_and_restart PID START... : kill -9 and reap PID, 2 s down, then START...
kill_and_restart() {
  kill -KILL "$1"
  wait "$1" 2>/dev/null || true
  sleep 2
  "${@:2}"
}
# rolling_restart : each instance in turn drains (SIGTERM), exits and starts
# again, and the next goes only once it is ready: no request may be cut.
rolling_restart() {
  local i pid
  for i in 0 1 2; do
    pid="${instance_pid[$i]}"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid" 2>/dev/null || true
    start_instance "$i"
    for _ in $(seq 1 100); do
      [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:${instance_port[$i]}/readyz") == 200 ]] && break
      sleep 0.1
    done
    sleep 1  # HAProxy's health check sees it up (rise 2, every 500 ms)
  done
}

# stall PID : SIGSTOP for 4 s, longer than every timeout of concertd's.
stall() { kill -STOP "$1"; sleep 4; kill -CONT "$1"; }

# strike FAULT : does it, brings the component back, waits for readiness, and
# appends the fault's times to timeline.jsonl.
strike() {
  local fault="$1" start back recovered what victim
  start=$(now_ms)
  case "$fault" in
    redis-kill)
      what="kill -9 of Redis, restarted 2 s later from its AOF"
      kill_and_restart "$redis_pid" start_redis ;;
    redis-wipe)
      what="kill -9 of Redis, restarted 2 s later empty (its files deleted)"
      kill_and_restart "$redis_pid" wipe_and_start_redis ;;
    redis-stall)
      what="SIGSTOP of Redis for 4 s"
      stall "$redis_pid" ;;
    mariadb-kill)
      what="kill -9 of MariaDB, restarted 2 s later (crash recovery)"
      kill_and_restart "$mariadb_pid" start_mariadb ;;
    mariadb-stall)
      what="SIGSTOP of MariaDB for 4 s"
      stall "$mariadb_pid" ;;
    concertd-kill)
      victim=$((RANDOM % 3))
      what="kill -9 of concertd instance $victim, restarted 2 s later"
      kill_and_restart "${instance_pid[$victim]}" start_instance "$victim" ;;
    pgsim-kill)
      what="kill -9 of concert-pgsim, restarted 2 s later (payments answer 503 meanwhile)"
      kill_and_restart "$pg_pid" start_pgsim ;;
    rolling-restart)
      what="a rolling restart: SIGTERM to each concertd in turn (2 s drain), started again once it exited"
      rolling_restart ;;
    db-slow)
      # The delay proxy either way: it slows the database's connections only.
      what="a slow network to MariaDB for 4 s (150 ms each way, by a delay proxy; tc netem"
      if netem_available; then what+=" is available here too)"; else what+=" is not available on this kernel)"; fi
      touch "$tmp/db-slow.on"; sleep 4; rm -f "$tmp/db-slow.on" ;;
  esac
  back=$(now_ms)
  recovered=$(all_ready_at)
  printf '{"fault":"%s","what":"%s","startMs":%s,"backMs":%s,"recoveredMs":%s}\n' "$fault" "$what" "$start" "$back" \
    "$recovered" >>"$tmp/timeline.jsonl"
  log "$fault: $what; back after $(((back - start) / 1000)) s, all ready" \
    "$( [[ "$recovered" == null ]] && echo "NOT within 15 s" || echo "$(((recovered - back)))ms later")"
}
