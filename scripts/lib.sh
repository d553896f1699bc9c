# Shared by scripts/setup, scripts/run and scripts/test (sourced, not executed).
# shellcheck shell=bash

HR_HOME=${HOTRUSH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/hotrush_priority}
HR_VENV="$HR_HOME/venv"
HR_PY="$HR_VENV/bin/python"
# axe-core for the accessibility tests (hotrush_priority/tests/test_accessibility.py)
AXE_VERSION=4.14.1
export HOTRUSH_AXE_JS=${HOTRUSH_AXE_JS:-$HR_HOME/axe/node_modules/axe-core/axe.min.js}

export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-$(id -un)}

die() {
    echo "error: $*" >&2
    exit 1
}
warn() { echo "warning: $*" >&2; }

chromium_path() {
    local c
    for c in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

pg_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 3
    else
        "$HR_PY" -c "import psycopg2; psycopg2.connect(host='$PGHOST', port=$PGPORT, user='$PGUSER', dbname='postgres').close()" 2>/dev/null
    fi
}

# Make sure PostgreSQL answers; start a stopped local cluster when we can.
ensure_postgres() {
    pg_ready && return 0
    local started=0 v
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        for v in /etc/postgresql/*/; do
            v=$(basename "$v")
            [ -d "/etc/postgresql/$v/main" ] || continue
            echo "setup: PostgreSQL at $PGHOST:$PGPORT is not answering; starting cluster $v/main" >&2
            if [ "$(id -u)" = 0 ]; then
                pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 && started=1
            else
                sudo -n pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 && started=1
            fi
        done
    fi
    if [ "$started" = 1 ]; then
        for _ in $(seq 1 30); do
            pg_ready && return 0
            sleep 1
        done
    fi
    die "PostgreSQL is not reachable at $PGHOST:$PGPORT as user $PGUSER.
  - If it is installed but stopped: start it (e.g. sudo pg_ctlcluster <version> main start,
    or sudo systemctl start postgresql).
  - If it is not installed: install PostgreSQL 13 or newer (Debian/Ubuntu: sudo apt-get install
    postgresql) and create a role for yourself: sudo -u postgres createuser -s \$USER
  - Elsewhere: set PGHOST, PGPORT and PGUSER to a server where that role may create databases."
}

# The Odoo source root the venv uses, and an addons path with OCA's and this repository's addons.
odoo_root() {
    "$HR_PY" -c 'import os, odoo.release as r; print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))'
}

oca_addons_dir() {
    "$HR_PY" -c 'import sysconfig, os; print(os.path.join(sysconfig.get_paths()["purelib"], "odoo", "addons"))'
}

addons_path() {
    local root
    root=$(odoo_root)
    echo "$root/odoo/addons,$root/addons,$(oca_addons_dir),$REPO"
}

# Write an Odoo configuration file for database $1 to stdout.
odoo_conf() {
    cat <<EOF
[options]
addons_path = $(addons_path)
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_name = $1
dbfilter = ^$1\$
list_db = False
data_dir = $HR_HOME/data
http_interface = 127.0.0.1
http_port = ${HOTRUSH_PORT:-8069}
EOF
}
