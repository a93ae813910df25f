#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: installs Debian's postgresql when missing, initdb (as the
# postgres user when run as root: initdb refuses root) into a temporary directory, listening on a Unix socket only,
# exports DECIDE_TEST_POSTGRES (a URL of an empty database on it) and DECIDE_TEST_POSTGRES_BIN (the server's
# programs) for the command, then stops and removes the cluster, also when the command fails or on Ctrl-C.
#
#   scripts/with-postgres.sh swift test --skip-build
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "Installing postgresql ..."
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    # Debian starts a cluster of its own on port 5432; ours does not need it.
    $sudo service postgresql stop >/dev/null 2>&1 || true
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

directory=$(mktemp -d /tmp/decide-postgres.XXXXXX)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$directory"
    as_owner=(runuser -u postgres --)
fi

stop() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$directory/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$directory"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_owner[@]}" "$bin/initdb" -D "$directory/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$directory/data" -l "$directory/server.log" -w -o \
    "-c listen_addresses='' -c unix_socket_directories=$directory -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
"${as_owner[@]}" "$bin/createdb" -h "$directory" -U postgres decide_test

export DECIDE_TEST_POSTGRES="postgresql://postgres@localhost/decide_test?host=$directory"
# For the tests that need a server of their own (one they restart).
export DECIDE_TEST_POSTGRES_BIN="$bin"
status=0
"$@" || status=$?
exit $status
