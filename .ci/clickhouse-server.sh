#!/usr/bin/env bash
# Starts, stops or checks a private ClickHouse server (Debian's clickhouse-server 18.16) for tests and CI.
#
#   .ci/clickhouse-server.sh start  DIR   # data, tmp, logs and the generated config live under DIR
#   .ci/clickhouse-server.sh stop   DIR
#   .ci/clickhouse-server.sh status DIR
#
# The server uses its own minimal config (.ci/clickhouse/config.xml, users.xml): HTTP on 127.0.0.1:8123,
# native protocol on 127.0.0.1:9000 (override with CH_CI_HTTP_PORT / CH_CI_TCP_PORT), user `default` with an empty password, localhost only.
# As root it runs as the `clickhouse` user the Debian package created (DIR is chowned to it), falling back
# to root when that user cannot reach DIR.
# Environment: CH_SERVER_BIN (default /usr/sbin/clickhouse-server), CH_START_TIMEOUT (seconds, default 60),
# CH_CI_USERS_XML (a users.xml to use instead of .ci/clickhouse/users.xml, e.g. with a password user for tests).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${CH_SERVER_BIN:-/usr/sbin/clickhouse-server}
timeout=${CH_START_TIMEOUT:-60}
pidfile="$dir/clickhouse-server.pid"
http_port=${CH_CI_HTTP_PORT:-8123}
tcp_port=${CH_CI_TCP_PORT:-9000}
url="http://127.0.0.1:$http_port/ping"

ping_ok() {
  [[ "$(curl -fsS --max-time 2 "$url" 2>/dev/null || true)" == Ok.* ]]
}

running_pid() {
  if [[ -s "$pidfile" ]]; then
    local pid
    pid=$(tr -d '[:space:]' <"$pidfile")
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

log_tail() {
  for f in "$dir/log/clickhouse-server.err.log" "$dir/log/clickhouse-server.log" "$dir/log/stderr.log" "$dir/start.log"; do
    if [[ -s "$f" ]]; then
      echo "---- tail of $f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

start() {
  if pid=$(running_pid); then
    if ping_ok; then
      echo "clickhouse-server already running (pid $pid) at http://127.0.0.1:$http_port"
      return 0
    fi
  fi
  if ping_ok; then
    echo "something else already answers on http://127.0.0.1:$http_port; refusing to start a second server" >&2
    return 1
  fi
  [[ -x "$bin" ]] || { echo "clickhouse-server not found at $bin (apt-get install clickhouse-server)" >&2; return 1; }

  mkdir -p "$dir/etc" "$dir/data" "$dir/tmp" "$dir/log" "$dir/user_files" "$dir/format_schemas"
  sed -e "s#@DIR@#$dir#g" -e "s#<http_port>8123</http_port>#<http_port>$http_port</http_port>#" \
    -e "s#<tcp_port>9000</tcp_port>#<tcp_port>$tcp_port</tcp_port>#" "$here/clickhouse/config.xml" >"$dir/etc/config.xml"
  cp "${CH_CI_USERS_XML:-$here/clickhouse/users.xml}" "$dir/etc/users.xml"
  rm -f "$pidfile"

  local -a runner=()
  if [[ $(id -u) -eq 0 ]] && id clickhouse >/dev/null 2>&1; then
    chown -R clickhouse:clickhouse "$dir"
    if setpriv --reuid=clickhouse --regid=clickhouse --init-groups test -w "$dir/data" -a -x "$dir" 2>/dev/null; then
      runner=(setpriv --reuid=clickhouse --regid=clickhouse --init-groups)
    else
      echo "warning: user clickhouse cannot reach $dir; running clickhouse-server as root" >&2
    fi
  fi

  # --daemon forks, writes the pid file and redirects its own stdout/stderr to log/stdout.log and
  # log/stderr.log (which must stay writable by the server user); messages before that go to start.log.
  (cd "$dir" && "${runner[@]}" "$bin" --daemon --config-file="$dir/etc/config.xml" --pid-file="$pidfile" \
    >"$dir/start.log" 2>&1) || {
    echo "clickhouse-server failed to start" >&2
    log_tail
    return 1
  }

  local waited=0
  until ping_ok; do
    if ((waited >= timeout * 2)); then
      echo "clickhouse-server did not answer $url within ${timeout}s" >&2
      log_tail
      return 1
    fi
    if ((waited > 20)) && ! running_pid >/dev/null; then
      echo "clickhouse-server exited during start-up" >&2
      log_tail
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "clickhouse-server running (pid $(running_pid || echo '?')) at http://127.0.0.1:$http_port, data in $dir"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    echo "clickhouse-server is not running (no live pid in $pidfile)"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "clickhouse-server stopped"; return 0; }
    sleep 0.5
  done
  echo "clickhouse-server (pid $pid) did not stop after 30s; sending KILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

status() {
  local pid
  if pid=$(running_pid) && ping_ok; then
    echo "clickhouse-server running (pid $pid) at http://127.0.0.1:$http_port"
    return 0
  fi
  echo "clickhouse-server not running"
  return 3
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
