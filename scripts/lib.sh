# shellcheck shell=bash
# Shared helpers for scripts/run and scripts/test: Debian dependencies, the meson build and a
# private PostgreSQL cluster that lives in one directory. Source it; it defines functions only
# (and GF_ROOT, the repository root) and changes no shell option of the caller.

# shellcheck disable=SC2034 # used by the scripts that source this file
GF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The superuser of every cluster made here; trust auth on the local socket, so no password.
GF_PG_SUPERUSER=gapforge

gf_log() { printf 'gapforge: %s\n' "$*" >&2; }
gf_warn() { printf 'gapforge: warning: %s\n' "$*" >&2; }
gf_die() {
    printf 'gapforge: error: %s\n' "$*" >&2
    exit 1
}

gf_is_root() { [[ $(id -u) -eq 0 ]]; }

# gf_shquote STRING: STRING quoted for any POSIX sh (system() runs /bin/sh, so no $'...').
gf_shquote() {
    local q="'\\''"
    printf "'%s'" "${1//\'/$q}"
}

# ---------------------------------------------------------------------------------------------
# Dependencies
# ---------------------------------------------------------------------------------------------

# Debian packages that must be installed, apart from PostgreSQL and Node.js (handled below).
GF_DEBIAN_DEPS=(build-essential meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev
    libpq-dev check libssl-dev libcurl4-openssl-dev libyaml-dev postgresql-contrib curl ca-certificates
    python3 python3-numpy clang-format git prometheus)
# The bash suites' tools: ps (tests/scripts), haproxy, wrk and pgbouncer (tests/deploy).
GF_DEBIAN_DEPS+=(procps haproxy wrk pgbouncer)
# The dashboard's browser tests (tests/browser): Debian's chromium, driven by playwright-core.
GF_DEBIAN_DEPS+=(chromium)

gf_pkg_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# gf_missing_deps: prints the missing Debian packages, one per line (nothing when complete).
gf_missing_deps() {
    local p
    for p in "${GF_DEBIAN_DEPS[@]}"; do
        gf_pkg_installed "$p" || printf '%s\n' "$p"
    done
    if ! gf_pkg_installed postgresql-15 && ! gf_pkg_installed postgresql; then
        printf '%s\n' postgresql-15
    fi
    # Node.js from another source (NodeSource) bundles npm and conflicts with Debian's npm
    # package, so a working npx is enough.
    if ! command -v npx >/dev/null 2>&1; then
        gf_pkg_installed nodejs || printf '%s\n' nodejs
        gf_pkg_installed npm || printf '%s\n' npm
    fi
}

# gf_install_deps: installs what is missing (as root), or prints the apt-get line and exits 1.
# A machine that has everything does no apt work at all.
gf_install_deps() {
    command -v dpkg-query >/dev/null 2>&1 || gf_die "dpkg-query not found: this expects Debian 12"
    local missing
    mapfile -t missing < <(gf_missing_deps)
    ((${#missing[@]} == 0)) && return 0
    if ! gf_is_root; then
        gf_log "missing Debian packages: ${missing[*]}"
        printf 'Install them with:\n\n    sudo apt-get install -y %s\n\n' "${missing[*]}" >&2
        exit 1
    fi
    gf_log "installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update || gf_die "apt-get update failed"
    apt-get install -y "${missing[@]}" || gf_die "apt-get install failed"
}

# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------

# gf_build DIR [MESON_OPTIONS...]: configures DIR (or reconfigures it with these options) and
# compiles. Returns meson's status.
gf_build() {
    local dir=$1
    shift
    if [[ -f $dir/meson-private/coredata.dat ]]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null || return
    else
        meson setup "$dir" "$@" || return
    fi
    meson compile -C "$dir"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL cluster in one directory
#
# A cluster home DIR holds data/ (PGDATA), socket/ (the Unix socket, unless the path is too long)
# and postgres.log. The server listens on no TCP address: only on its socket, whose name carries
# the port number. initdb refuses to run as root, so when root the cluster belongs to the system
# user "postgres" (or "gapforge-pg", created when there is no postgres user).
# ---------------------------------------------------------------------------------------------

# gf_pg_bindir: prints the directory of initdb, pg_ctl and friends.
gf_pg_bindir() {
    local d cand=()
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null) && [[ -x $d/initdb ]] && {
            printf '%s\n' "$d"
            return 0
        }
    fi
    [[ -x /usr/lib/postgresql/15/bin/initdb ]] && {
        printf '%s\n' /usr/lib/postgresql/15/bin
        return 0
    }
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x $d/initdb ]] && cand+=("$d")
    done
    ((${#cand[@]} > 0)) || gf_die "no PostgreSQL server binaries (initdb) found"
    printf '%s\n' "${cand[@]}" | sort -V | tail -n 1
}

# gf_pg_user: prints the system user that owns clusters when we are root.
gf_pg_user() {
    if id -u postgres >/dev/null 2>&1; then
        printf 'postgres\n'
        return 0
    fi
    if ! id -u gapforge-pg >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            gapforge-pg || gf_die "could not create the system user gapforge-pg"
    fi
    printf 'gapforge-pg\n'
}

# gf_pg_as CMD...: runs CMD as the cluster owner (runuser when root, directly otherwise).
gf_pg_as() {
    if gf_is_root; then
        runuser -u "$(gf_pg_user)" -- "$@"
    else
        "$@"
    fi
}

# gf_pg_as_cmd CMD...: the same, as one sh command line (for GAPFORGE_TEST_DB_STOP/START).
gf_pg_as_cmd() {
    local out="" a
    if gf_is_root; then
        out="runuser -u $(gf_pg_user) --"
    fi
    for a in "$@"; do
        out+="${out:+ }$(gf_shquote "$a")"
    done
    printf '%s\n' "$out"
}

# gf_pg_home DIR: prints the real cluster home (DIR with symlinks resolved).
gf_pg_home() { readlink -f -- "$1"; }

# gf_pg_sockdir DIR: prints the socket directory of the cluster in DIR. A Unix socket path must
# stay under 108 bytes, and the socket file itself is ".s.PGSQL.NNNNN", so a long DIR moves the
# socket to a short directory under /tmp named after a hash of DIR.
gf_pg_sockdir() {
    local home sock
    home=$(gf_pg_home "$1")
    sock=$home/socket
    if ((${#sock} > 80)); then
        sock=/tmp/gf-pg-$(printf '%s' "$home" | sha1sum | cut -c1-12)
    fi
    printf '%s\n' "$sock"
}

# _gf_pg_prepare_dir PATH: makes PATH a directory the cluster owner may write.
_gf_pg_prepare_dir() {
    mkdir -p -- "$1" || return
    if gf_is_root; then
        chown "$(gf_pg_user):" "$1" || return
    fi
    chmod 700 "$1"
}

# gf_pg_conf_port DIR: prints the port set in the postgresql.conf of the cluster in DIR (the
# last "port = N" line), or nothing.
gf_pg_conf_port() {
    sed -n 's/^port = \([0-9][0-9]*\)$/\1/p' -- "$(gf_pg_home "$1")/data/postgresql.conf" \
        2>/dev/null | tail -n 1
}

# gf_pg_set_port DIR PORT: makes the cluster in DIR use PORT (its socket is named after it),
# stopping it first when it runs on another one; a no-op when PORT is already set.
gf_pg_set_port() {
    local dir=$1 port=$2 cur conf
    if [[ ! $port =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
        gf_die "bad PostgreSQL port: $port"
    fi
    cur=$(gf_pg_conf_port "$dir")
    [[ $cur == "$port" ]] && return 0
    conf=$(gf_pg_home "$dir")/data/postgresql.conf
    if gf_pg_running "$dir"; then
        gf_log "stopping the cluster in $dir (port ${cur:-unset}) to move it to port $port"
        gf_pg_stop "$dir" || return
    fi
    gf_log "the cluster in $dir now uses port $port (was ${cur:-unset})"
    if [[ -n $cur ]]; then
        gf_pg_as sed -i -e "s/^port = $cur\$/port = $port/" -- "$conf"
    else
        printf 'port = %s\n' "$port" | gf_pg_as tee -a -- "$conf" >/dev/null
    fi
}

# gf_pg_init DIR PORT: creates the cluster in DIR; when it already exists, only makes it use
# PORT (gf_pg_set_port). fsync is off: these clusters hold development and test data only.
gf_pg_init() {
    local dir=$1 port=$2 bindir home sock user
    bindir=$(gf_pg_bindir) || return
    if [[ -f $dir/data/PG_VERSION ]]; then
        gf_pg_set_port "$dir" "$port"
        return
    fi
    if gf_is_root; then
        user=$(gf_pg_user) || return
        mkdir -p -- "$dir" || return
        # The cluster owner must be able to reach DIR; a repository under /root (mode 700) is out
        # of its reach, so the cluster then lives under /var/lib and DIR becomes a symlink to it.
        if ! runuser -u "$user" -- test -x "$(dirname -- "$(gf_pg_home "$dir")")"; then
            local real
            real=/var/lib/gapforge-dev/$(printf '%s' "$(gf_pg_home "$dir")" | sha1sum | cut -c1-12)
            gf_log "user $user cannot reach $dir; the cluster lives in $real"
            mkdir -p /var/lib/gapforge-dev && chmod 755 /var/lib/gapforge-dev || return
            rmdir -- "$dir" 2>/dev/null || gf_die "$dir is not empty and not a cluster"
            mkdir -p -- "$real" && ln -s -- "$real" "$dir" || return
        fi
    fi
    home=$(gf_pg_home "$dir")
    sock=$(gf_pg_sockdir "$dir")
    _gf_pg_prepare_dir "$home" || return
    _gf_pg_prepare_dir "$sock" || return
    gf_log "initialising a PostgreSQL cluster in $home"
    gf_pg_as "$bindir/initdb" --pgdata="$home/data" --username="$GF_PG_SUPERUSER" \
        --auth-local=trust --auth-host=reject --encoding=UTF8 --locale=C >"$home/initdb.log" 2>&1 \
        || {
            cat -- "$home/initdb.log" >&2
            return 1
        }
    local sock_conf=${sock//\'/\'\'}
    gf_pg_as tee -a "$home/data/postgresql.conf" >/dev/null <<EOF || return

# --- gapforge development/test cluster ---
port = $port
listen_addresses = ''
unix_socket_directories = '$sock_conf'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
log_min_error_statement = error
EOF
}

# gf_pg_running DIR: true when the cluster in DIR is running.
gf_pg_running() {
    local bindir
    bindir=$(gf_pg_bindir) || return
    gf_pg_as "$bindir/pg_ctl" -D "$(gf_pg_home "$1")/data" status >/dev/null 2>&1
}

# gf_pg_start_cmd DIR: prints the sh command line that starts the cluster and waits for it.
gf_pg_start_cmd() {
    local bindir home
    bindir=$(gf_pg_bindir) || return
    home=$(gf_pg_home "$1")
    gf_pg_as_cmd "$bindir/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 start
}

# gf_pg_stop_cmd DIR: prints the sh command line that stops the cluster (fast) and waits.
gf_pg_stop_cmd() {
    local bindir home
    bindir=$(gf_pg_bindir) || return
    home=$(gf_pg_home "$1")
    gf_pg_as_cmd "$bindir/pg_ctl" -D "$home/data" -w -t 60 stop -m fast
}

# gf_pg_start DIR: starts the cluster unless it is running, and waits until it accepts.
gf_pg_start() {
    local dir=$1 cmd
    gf_pg_running "$dir" && return 0
    # The socket directory may be under /tmp, which a reboot empties.
    _gf_pg_prepare_dir "$(gf_pg_sockdir "$dir")" || return
    cmd=$(gf_pg_start_cmd "$dir") || return
    sh -c "$cmd" >/dev/null || {
        gf_warn "PostgreSQL did not start; its log:"
        tail -n 30 -- "$(gf_pg_home "$dir")/postgres.log" >&2
        return 1
    }
}

# gf_pg_stop DIR: stops the cluster if it is running.
gf_pg_stop() {
    local dir=$1 cmd
    [[ -f $(gf_pg_home "$dir")/data/postmaster.pid ]] || return 0
    gf_pg_running "$dir" || return 0
    cmd=$(gf_pg_stop_cmd "$dir") || return
    sh -c "$cmd" >/dev/null
}

# gf_pg_destroy DIR: stops the cluster and deletes DIR (and its socket directory).
gf_pg_destroy() {
    local dir=$1 sock home
    [[ -e $dir ]] || return 0
    sock=$(gf_pg_sockdir "$dir")
    home=$(gf_pg_home "$dir")
    gf_pg_stop "$dir" || gf_warn "could not stop the cluster in $dir"
    rm -rf -- "$home" "$dir"
    case $sock in
    "$home"/*) ;;
    *) rm -rf -- "$sock" ;;
    esac
}

# _gf_conninfo_value VALUE: VALUE quoted for a libpq conninfo string.
_gf_conninfo_value() {
    local v=${1//\\/\\\\}
    printf "'%s'" "${v//\'/\\\'}"
}

# gf_pg_url DIR PORT DBNAME: prints the libpq conninfo of DBNAME in the cluster in DIR.
gf_pg_url() {
    printf 'host=%s port=%s dbname=%s user=%s\n' "$(_gf_conninfo_value "$(gf_pg_sockdir "$1")")" \
        "$2" "$(_gf_conninfo_value "$3")" "$GF_PG_SUPERUSER"
}

# gf_pg_psql DIR PORT DBNAME ARGS...: runs psql against the cluster.
gf_pg_psql() {
    local dir=$1 port=$2 db=$3 bindir
    shift 3
    bindir=$(gf_pg_bindir) || return
    "$bindir/psql" -X -v ON_ERROR_STOP=1 "$(gf_pg_url "$dir" "$port" "$db")" "$@"
}

# gf_pg_createdb DIR PORT DBNAME: creates DBNAME unless it exists. (psql interpolates :'var'
# only in what it reads, not in -c, hence the here-strings.)
gf_pg_createdb() {
    local dir=$1 port=$2 db=$3 exists
    exists=$(gf_pg_psql "$dir" "$port" postgres -tA -v db="$db" \
        <<<"select 1 from pg_database where datname = :'db';") || return
    [[ $exists == 1 ]] && return 0
    gf_pg_psql "$dir" "$port" postgres -q -v db="$db" <<<'create database :"db";'
}

# gf_free_port [FROM]: prints a TCP port nobody listens on on 127.0.0.1, at or above FROM.
gf_free_port() {
    local p=${1:-$((20000 + RANDOM % 20000))} n
    for ((n = 0; n < 200; n++, p++)); do
        if ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    return 1
}
