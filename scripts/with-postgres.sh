#!/usr/bin/env bash
# Runs a command against a private, throw-away PostgreSQL server.
#
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Creates a fresh cluster in a private temp dir, starts it listening only on a unix socket
# (no TCP, so it cannot clash with any other server), creates the database `needbridge`, then
# runs CMD with these variables exported:
#
#   NEEDBRIDGE_PG_URL     libpq key-value conninfo, e.g.
#                         "host=/tmp/with-postgres.XXXXXX/socket port=5433 user=postgres dbname=needbridge"
#   NEEDBRIDGE_PG_BIN     the PostgreSQL bin dir used (initdb, pg_ctl, psql, ...)
#   NEEDBRIDGE_PG_SOCKET  the unix socket directory
#
# and exits with CMD's exit code. The server is always stopped and the temp dir removed on exit,
# on failure and on Ctrl-C. NEEDBRIDGE_PG_PORT (default 5433) picks the port, which here only
# names the socket file.
#
# If the server binaries are missing and we run as root, installs Debian's `postgresql` package.
# initdb refuses to run as root, so as root the server runs as the `postgres` OS user.
set -euo pipefail

say() { printf 'with-postgres: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

if [[ $# -eq 0 ]]; then
  printf 'usage: %s CMD [ARGS...]\n' "$0" >&2
  exit 2
fi

port="${NEEDBRIDGE_PG_PORT:-5433}"
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
  die "NEEDBRIDGE_PG_PORT must be a port number, got '$port'"
fi
port=$((10#$port))

is_root=false
[[ "$(id -u)" -eq 0 ]] && is_root=true

# Prints the bin dir holding initdb and pg_ctl: the highest version under /usr/lib/postgresql,
# else the (symlink-resolved) dir of the initdb on PATH. Fails if there is none.
find_bin() {
  local dir best=""
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] || continue
    if [[ -z "$best" ]] ||
      [[ "$(printf '%s\n%s\n' "$best" "$dir" | sort -V | tail -n 1)" == "$dir" ]]; then
      best="$dir"
    fi
  done
  if [[ -z "$best" ]] && command -v initdb >/dev/null 2>&1; then
    dir="$(dirname "$(readlink -f "$(command -v initdb)")")"
    [[ -x "$dir/pg_ctl" ]] && best="$dir"
  fi
  [[ -n "$best" ]] && printf '%s\n' "$best"
}

# Prints the clusters Debian's postgresql-common reports as running, as VERSION/NAME lines.
online_clusters() {
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | awk '$4 ~ /^online/ { print $1 "/" $2 }' || true
  fi
}

install_postgres() {
  $is_root || die "PostgreSQL server binaries not found; install them (apt-get install postgresql) or run as root"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries not found and apt-get is unavailable"
  say "PostgreSQL server binaries not found; installing the postgresql package"
  local before cluster
  before="$(online_clusters)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  # The package creates and may start a system-wide "main" cluster; we only wanted the binaries,
  # so stop any cluster the install started (it stays installed, and is not touched again).
  while read -r cluster; do
    if [[ -n "$cluster" ]] && ! grep -qxF "$cluster" <<<"$before"; then
      pg_ctlcluster "${cluster%%/*}" "${cluster#*/}" stop >/dev/null 2>&1 || true
      say "stopped the system cluster $cluster that the package install started"
    fi
  done < <(online_clusters)
}

bin="$(find_bin || true)"
if [[ -z "$bin" ]]; then
  install_postgres
  bin="$(find_bin || true)"
  [[ -n "$bin" ]] || die "installed postgresql but still found no initdb/pg_ctl"
fi

# Client tools from the same bin dir when it has them (Debian's does), else from PATH.
tool() {
  if [[ -x "$bin/$1" ]]; then
    printf '%s\n' "$bin/$1"
  else
    command -v "$1" || die "$1 not found in $bin or on PATH"
  fi
}
createdb_bin="$(tool createdb)"

if $is_root; then
  id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user to run the server"
  server_user=postgres
else
  server_user="$(id -un)"
fi

# Runs a command as the server's OS user, from a directory that user can enter.
run_pg() {
  if $is_root; then
    if command -v runuser >/dev/null 2>&1; then
      (cd "$tmp" && runuser -u postgres -- "$@")
    else
      # shellcheck disable=SC2016 # "$@" is expanded by the inner shell
      (cd "$tmp" && su -s /bin/sh -c 'exec "$@"' -- postgres sh "$@")
    fi
  else
    (cd "$tmp" && "$@")
  fi
}

tmp=""
data=""
started=false
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$data" && -f "$data/postmaster.pid" ]]; then
    run_pg "$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [[ -n "$tmp" ]]; then
    rm -rf -- "$tmp"
  fi
  if $started; then
    say "stopped"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A short base path: the socket path must stay under ~100 bytes and be safe inside pg_ctl -o.
# As root, /tmp, so that the postgres user can traverse every parent.
base="${TMPDIR:-/tmp}"
if $is_root || [[ ! "$base" =~ ^/[A-Za-z0-9/._-]+$ ]] || ((${#base} > 60)); then
  base=/tmp
fi
tmp="$(mktemp -d "$base/with-postgres.XXXXXX")"
chown "$server_user" "$tmp"
chmod 700 "$tmp"
data="$tmp/data"
socket="$tmp/socket"
log="$tmp/server.log"
run_pg mkdir -m 700 "$socket"

version="$("$bin/postgres" --version 2>/dev/null || "$bin/pg_ctl" --version 2>/dev/null || true)"
if [[ "$version" =~ [0-9]+(\.[0-9]+)* ]]; then
  version="${BASH_REMATCH[0]}"
fi
say "using PostgreSQL $version from $bin"

locale=C
if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
  locale=C.UTF-8
fi
if ! out="$(run_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
  --locale="$locale" 2>&1)"; then
  printf '%s\n' "$out" >&2
  die "initdb failed"
fi

if ! run_pg "$bin/pg_ctl" -w -t 60 -D "$data" -l "$log" \
  -o "-k '$socket' -c listen_addresses='' -p $port -c fsync=on -c max_connections=200" \
  start >/dev/null 2>&1; then
  say "server failed to start; its log follows"
  cat "$log" >&2 2>/dev/null || true
  exit 1
fi
started=true
say "server up on socket dir $socket, port $port"

"$createdb_bin" -h "$socket" -p "$port" -U postgres needbridge ||
  die "could not create database needbridge"

export NEEDBRIDGE_PG_URL="host=$socket port=$port user=postgres dbname=needbridge"
export NEEDBRIDGE_PG_BIN="$bin"
export NEEDBRIDGE_PG_SOCKET="$socket"

rc=0
"$@" || rc=$?
exit "$rc"
