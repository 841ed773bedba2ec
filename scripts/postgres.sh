#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: 127.0.0.1, a free port, data in a temp folder.
#   eval "$(scripts/postgres.sh start)"   # prints `export CHANGETRAIL_TEST_POSTGRES=...`
#   scripts/postgres.sh stop
# Installs Debian's postgresql package when the server binaries are missing (needs root or sudo).
# CHANGETRAIL_PG_STATE names the folder that remembers the running cluster, so several can coexist.
set -euo pipefail

state_dir=${CHANGETRAIL_PG_STATE:-/tmp/changetrail-pg}
log() { echo "postgres.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root (or sudo) to run: $*"; exit 1; fi
}

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install_if_missing() {
  if [ -z "$(bin_dir)" ]; then
    log "installing PostgreSQL from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
}

# initdb refuses to run as root, so root runs the cluster as the postgres user.
run_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( (RANDOM % 20000) + 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  log "no free port found"; exit 1
}

start() {
  install_if_missing
  local bin port data
  bin=$(bin_dir)
  if [ -f "$state_dir/env" ] && run_as_owner "$bin/pg_ctl" -D "$(cat "$state_dir/data")" status >/dev/null 2>&1; then
    log "already running"
    cat "$state_dir/env"
    return
  fi
  mkdir -p "$state_dir"
  data=$(mktemp -d /tmp/changetrail-pgdata.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  port=$(free_port)
  run_as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  run_as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=on -c max_connections=200" start >/dev/null
  echo "$data" > "$state_dir/data"
  echo "$bin" > "$state_dir/bin"
  echo "export CHANGETRAIL_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres'" > "$state_dir/env"
  log "started on 127.0.0.1:$port (data in $data)"
  cat "$state_dir/env"
}

stop() {
  [ -f "$state_dir/data" ] || return 0
  local data bin
  data=$(cat "$state_dir/data"); bin=$(cat "$state_dir/bin")
  run_as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$data" "$state_dir"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/postgres.sh start|stop" >&2; exit 2 ;;
esac
