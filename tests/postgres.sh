#!/usr/bin/env bash
# Provisions PostgreSQL 17 + pgvector 0.8 for the tests and prints the export line for CHAINS_TEST_POSTGRES.
#
#   eval "$(tests/postgres.sh start)"   # sets CHAINS_TEST_POSTGRES and CHAINS_TEST_POSTGRES_STOP
#   tests/postgres.sh stop              # stops the server started by `start`
#
# With CHAINS_TEST_POSTGRES already set, `start` uses that server and changes nothing.
# Otherwise Debian 13 (trixie) packages, which ship pgvector, run in a chroot built once with mmdebstrap and cached
# outside the clone (CHAINS_PG_ROOT, default /var/cache/chains/pg17-trixie). The mirror is the one this machine's own
# apt sources use. Needs root (chroot) the first time and to start the server.
set -euo pipefail

root="${CHAINS_PG_ROOT:-/var/cache/chains/pg17-trixie}"
state="${CHAINS_PG_STATE:-/tmp/chains-pg}"
cmd="${1:-start}"

log() { echo "postgres.sh: $*" >&2; }

mirror_url() {
  local url
  url=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$url" ]; then
    url=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  if [ -z "$url" ]; then
    log "cannot find a Debian mirror in this machine's apt sources; set CHAINS_TEST_POSTGRES to an existing server instead"
    exit 1
  fi
  # The security archive is not the main one.
  echo "${url%-security}"
}

build_root() {
  if [ -x "$root/usr/lib/postgresql/17/bin/postgres" ] && [ -f "$root/usr/share/postgresql/17/extension/vector.control" ]; then
    return 0
  fi
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    log "installing mmdebstrap"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
  fi
  local mirror tmp
  mirror=$(mirror_url)
  tmp="${root}.partial"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$root")"
  log "building the PostgreSQL 17 + pgvector chroot in $root (once; about 2 minutes)"
  mmdebstrap --mode=root --variant=apt --include=postgresql-17,postgresql-17-pgvector trixie "$tmp" "$mirror" >&2
  rm -rf "$root"
  mv "$tmp" "$root"
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo 55432
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

in_root() { chroot "$root" /usr/sbin/runuser -u postgres -- "$@"; }

start() {
  if [ -n "${CHAINS_TEST_POSTGRES:-}" ]; then
    log "using the server named by CHAINS_TEST_POSTGRES"
    printf 'export CHAINS_TEST_POSTGRES=%q\n' "$CHAINS_TEST_POSTGRES"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    log "starting the test server needs root (chroot); run as root or set CHAINS_TEST_POSTGRES to an existing server"
    exit 1
  fi
  build_root
  local port data bin password
  port=$(free_port)
  data="/var/lib/chains-test/$port"
  bin=/usr/lib/postgresql/17/bin
  password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -p "$root$data" "$root/run/postgresql"
  # Only the new, empty data folder: servers of parallel test classes own files under /var/lib/chains-test too.
  chroot "$root" chown postgres:postgres /var/lib/chains-test "$data" /run/postgresql
  printf '%s\n' "$password" > "$root/tmp/chains-pw-$port"
  chroot "$root" chown postgres "/tmp/chains-pw-$port"
  in_root "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="/tmp/chains-pw-$port" -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$root/tmp/chains-pw-$port"
  cat >> "$root$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '/run/postgresql'
dynamic_shared_memory_type = mmap
shared_buffers = 128MB
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
max_parallel_workers_per_gather = 0
CONF
  in_root "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
  PGPASSWORD="$password" in_root "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtAc "CREATE DATABASE chains_test" >/dev/null
  mkdir -p "$state"
  echo "$data" > "$state/$port"
  log "PostgreSQL 17 with pgvector listening on 127.0.0.1:$port"
  printf 'export CHAINS_TEST_POSTGRES=%q\n' "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=chains_test"
  printf 'export CHAINS_TEST_POSTGRES_PORT=%q\n' "$port"
}

stop() {
  local port="${2:-${CHAINS_TEST_POSTGRES_PORT:-}}"
  [ -n "$port" ] && [ -f "$state/$port" ] || return 0
  local data
  data=$(cat "$state/$port")
  in_root /usr/lib/postgresql/17/bin/pg_ctl -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "${root:?}$data" "$state/$port"
  log "stopped the test server on port $port"
}

case "$cmd" in
  start) start ;;
  stop) stop "$@" ;;
  build) build_root ;;
  *) echo "usage: $0 start|stop [port]|build" >&2; exit 2 ;;
esac
