#!/usr/bin/env bash
# make bench: how fast the tenant home page is next to nginx serving a static file of the same
# size, and how much memory the server needs with 1,000 open keep-alive connections.
#
#   1. starts `refettorio demo` on a free loopback port with a temporary database;
#   2. fetches /esempio/ and writes the very same bytes into a static file for nginx;
#   3. starts Debian's nginx (bench/nginx.conf.in) on another free loopback port;
#   4. wrk against both (after a short warm-up), prints both rates and their ratio;
#   5. wrk with 1,000 connections against the server, then its peak resident memory (VmHWM);
#   6. the cut-off job for 100,000 pupils in 200 schools (tools/bench_cutoff.c, its own
#      temporary database): its time, and the bare SQL aggregation it needs on the same data;
#   7. meal cancellations through HTTP: signed-in families added to the server's database
#      (bench_cutoff --families), wrk posting cancellations for distinct pupils
#      (bench/cancel.lua), against SQLite's single-row commits per second with synchronous=FULL
#      on the same filesystem, measured right after.
#
# Targets: home >= 50% of nginx's rate; VmHWM < 64 MiB; the cut-off job within 3x of the
# aggregation and under 2 s; cancellations >= 50% of the commit rate with no errors. Exit
# status 1 when one is missed.
# Everything started here is stopped on exit, Ctrl-C included; nothing but 127.0.0.1 is used.
#
# Environment: REFETTORIO_BIN (build/refettorio), REFETTORIO_STATIC (build/static),
# BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (64), BENCH_IDLE_CONNECTIONS (1000),
# BENCH_CUTOFF (build/tools/bench_cutoff), BENCH_FAMILIES (2000),
# BENCH_CANCEL_CONNECTIONS (8).
set -u
cd "$(dirname "$0")/.."

BIN=${REFETTORIO_BIN:-build/refettorio}
STATIC_DIR=${REFETTORIO_STATIC:-build/static}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-64}
MANY=${BENCH_IDLE_CONNECTIONS:-1000}
BENCH_CUTOFF=${BENCH_CUTOFF:-build/tools/bench_cutoff}
FAMILIES=${BENCH_FAMILIES:-2000}
CANCEL_CONNS=${BENCH_CANCEL_CONNECTIONS:-8}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
HOST=127.0.0.1
PAGE=/esempio/
TARGET_RATIO=50 # percent
TARGET_MEM_KIB=$((64 * 1024))

die() {
    echo "bench: $*" >&2
    exit 2
}

[ -x "$BIN" ] || die "$BIN not found: run make first"
[ -d "$STATIC_DIR" ] || die "$STATIC_DIR not found: run make static first"
[ -x "$NGINX" ] || die "$NGINX not found: apt-get install nginx-light"
command -v "$WRK" >/dev/null || die "wrk not found: apt-get install wrk"
[ -x "$BENCH_CUTOFF" ] || die "$BENCH_CUTOFF not found: run make bench-tools first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/refettorio-bench.XXXXXX") || die "cannot create a temp dir"
# Run as root, nginx's workers are "nobody": they must be able to reach www/ (and only that;
# the server's database and logs stay in a private subfolder).
chmod 0711 "$TMP"
mkdir -m 0700 "$TMP/server"
mkdir -m 0755 "$TMP/www"
SERVER_PID=
NGINX_PID=
WRK_PID=

cleanup() {
    trap - EXIT INT TERM
    [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null
    [ -n "$NGINX_PID" ] && kill -TERM "$NGINX_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null
    for pid in $NGINX_PID $SERVER_PID; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo; echo "bench: interrupted" >&2; exit 130' INT TERM

# wrk opens one descriptor per connection.
want_fds=$((MANY + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want_fds" ]; then
    ulimit -n "$want_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
    [ "$(ulimit -n)" -ge "$want_fds" ] || echo "bench: warning: ulimit -n is $(ulimit -n)" >&2
fi

# A port nobody listens on now (random, checked with a connect attempt).
free_port() {
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/$HOST/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# fetch URL FILE: the response body into FILE (curl when present, else node's fetch).
fetch() {
    if command -v curl >/dev/null; then
        curl -fsS -o "$2" "$1"
    else
        node -e 'fetch(process.argv[1]).then(async (r) => {
            if (!r.ok) process.exit(1);
            require("fs").writeFileSync(process.argv[2], Buffer.from(await r.arrayBuffer()));
        }).catch(() => process.exit(1))' "$1" "$2"
    fi
}

wait_for() { # wait_for URL PID
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || return 1
        fetch "$1" /dev/null 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# wrk_rate URL ARGS...: runs wrk in the background (so Ctrl-C reaches the trap at once) and
# sets RATE to its requests/s; wrk's socket errors and non-2xx counts go to stderr.
RATE=
wrk_rate() {
    local url=$1 log=$TMP/wrk.log
    shift
    "$WRK" "$@" "$url" >"$log" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID"
    WRK_PID=
    grep 'Socket errors\|Non-2xx' "$log" | sed 's/^/    wrk: /' >&2
    RATE=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
}

# --- the server ------------------------------------------------------------------------------
SERVER_PORT=$(free_port) || die "no free port"
"$BIN" demo --db "$TMP/server/demo.sqlite" --listen "$HOST" --port "$SERVER_PORT" \
    --static-dir "$STATIC_DIR" --no-banner >"$TMP/server/log" 2>&1 &
SERVER_PID=$!
SERVER_URL="http://$HOST:$SERVER_PORT$PAGE"
wait_for "$SERVER_URL" "$SERVER_PID" || { cat "$TMP/server/log" >&2; die "the server did not start"; }

# --- nginx with a copy of the page -------------------------------------------------------------
mkdir -p -m 0755 "$TMP/www$PAGE"
fetch "$SERVER_URL" "$TMP/www${PAGE}index.html" || die "cannot fetch $SERVER_URL"
chmod 0644 "$TMP/www${PAGE}index.html"
SIZE=$(wc -c <"$TMP/www${PAGE}index.html")
NGINX_PORT=$(free_port) || die "no free port"
sed -e "s|@PREFIX@|$TMP|g" -e "s|@ROOT@|$TMP/www|g" -e "s|@PORT@|$NGINX_PORT|g" \
    bench/nginx.conf.in >"$TMP/nginx.conf"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/error.log" &
NGINX_PID=$!
NGINX_URL="http://$HOST:$NGINX_PORT$PAGE"
wait_for "$NGINX_URL" "$NGINX_PID" || { tail -5 "$TMP/error.log" >&2; die "nginx did not start"; }

echo "Refettorio benchmark (loopback, $(nproc) CPUs, wrk -t$THREADS -c$CONNS -d$DURATION)"
echo "  page: $PAGE, $SIZE bytes; nginx serves the same bytes from a file"

# --- throughput --------------------------------------------------------------------------------
wrk_rate "$SERVER_URL" -t"$THREADS" -c"$CONNS" -d2s # warm-up
wrk_rate "$NGINX_URL" -t"$THREADS" -c"$CONNS" -d2s
wrk_rate "$SERVER_URL" -t"$THREADS" -c"$CONNS" -d"$DURATION"
home_rate=$RATE
wrk_rate "$NGINX_URL" -t"$THREADS" -c"$CONNS" -d"$DURATION"
nginx_rate=$RATE
[ -n "$home_rate" ] && [ -n "$nginx_rate" ] || die "wrk gave no rate"

ratio=$(awk -v a="$home_rate" -v b="$nginx_rate" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
ratio_ok=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? "ok" : "MISSED" }')
printf '  %-28s %12s req/s\n' "refettorio $PAGE" "$home_rate" "nginx, static file" "$nginx_rate"
printf '  %-28s %11s%%   target >= %d%%: %s\n' "ratio (home / nginx)" "$ratio" "$TARGET_RATIO" "$ratio_ok"

# --- memory with many keep-alive connections ---------------------------------------------------
# Count the established connections while wrk holds them open.
(sleep 3; ss -Htn state established "( sport = :$SERVER_PORT )" 2>/dev/null | wc -l >"$TMP/open") &
wrk_rate "$SERVER_URL" -t"$THREADS" -c"$MANY" -d5s
many_rate=$RATE
open=$(cat "$TMP/open" 2>/dev/null || echo "?")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
mem_ok=$(awk -v m="$hwm" -v t="$TARGET_MEM_KIB" 'BEGIN { print (m < t) ? "ok" : "MISSED" }')
printf '  %-28s %12s req/s   (%s connections established after 3 s)\n' \
    "refettorio, $MANY connections" "${many_rate:-?}" "$open"
printf '  %-28s %8.1f MiB   target < 64 MiB: %s   (VmRSS now %.1f MiB)\n' \
    "server peak memory (VmHWM)" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" "$mem_ok" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"

# --- the cut-off job for a large municipality --------------------------------------------------
echo
"$BENCH_CUTOFF" --dir "$TMP/server" | sed 's/^/  /'
cutoff_rc=${PIPESTATUS[0]}
[ "$cutoff_rc" -le 1 ] || die "the cut-off benchmark failed"
cutoff_ok=$([ "$cutoff_rc" = 0 ] && echo ok || echo MISSED)

# --- meal cancellations through HTTP -----------------------------------------------------------
echo
"$BENCH_CUTOFF" --families "$FAMILIES" --db "$TMP/server/demo.sqlite" --out "$TMP/families" ||
    die "cannot add the families"
CANCEL_URL="http://$HOST:$SERVER_PORT/esempio/famiglie/pasti/disdici"
log=$TMP/wrk-cancel.log
for run in warmup measure; do
    "$WRK" -t"$THREADS" -c"$CANCEL_CONNS" -d"$([ $run = warmup ] && echo 2s || echo "$DURATION")" \
        -s bench/cancel.lua "$CANCEL_URL" -- "$TMP/families" "$THREADS" "$run" >"$log" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID"
    WRK_PID=
done
cancel_rate=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
[ -n "$cancel_rate" ] || { cat "$log" >&2; die "wrk gave no rate for the cancellations"; }
# Errors: responses other than 2xx/3xx, and connect, read, write and timeout errors.
errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$log")
commit_rate=$("$BENCH_CUTOFF" --commit-rate --dir "$TMP/server") || die "cannot measure commits"
cancel_ratio=$(awk -v a="$cancel_rate" -v b="$commit_rate" \
    'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
cancel_ok=$(awk -v r="$cancel_ratio" -v e="$errors" -v t="$TARGET_RATIO" \
    'BEGIN { print (r >= t && e == 0) ? "ok" : "MISSED" }')
echo "Meal cancellations through HTTP ($FAMILIES signed-in families, wrk -t$THREADS" \
    "-c$CANCEL_CONNS -d$DURATION)"
printf '  %-28s %12s req/s   (%s errors)\n' "POST .../pasti/disdici" "$cancel_rate" "$errors"
printf '  %-28s %12s /s\n' "single-row commits (FULL)" "$commit_rate"
printf '  %-28s %11s%%   target >= %d%%, no errors: %s\n' "ratio (cancel / commits)" \
    "$cancel_ratio" "$TARGET_RATIO" "$cancel_ok"

[ "$ratio_ok" = ok ] && [ "$mem_ok" = ok ] && [ "$cutoff_ok" = ok ] && [ "$cancel_ok" = ok ]
