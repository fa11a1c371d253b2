#!/bin/sh
# SPDX-License-Identifier: MIT
# mk/deps.sh on a fresh machine: a mirror that refuses connections and one
# that accepts and never answers both end the run quickly with a message
# naming the mirror (no hang); a complete tree needs neither root nor the
# network; --pins names every pin. Every packet stays on this machine.
set -eu
tmp=$(mktemp -d)
srv=""
trap '[ -z "$srv" ] || kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# fresh_run NAME MIRROR: deps.sh with an empty third_party/ and that mirror.
fresh_run() {
    start=$(date +%s)
    rc=0
    SMX_THIRD_PARTY="$tmp/$1" SMX_DEBIAN_MIRROR="$2/debian" SMX_DEBIAN_SECURITY_MIRROR="$2/debian-security" \
        SMX_APT_TRIES=2 SMX_APT_BACKOFF=1 SMX_APT_TIMEOUT=8 \
        timeout 120 ./mk/deps.sh > "$tmp/$1.log" 2>&1 || rc=$?
    took=$(($(date +%s) - start))
    if [ $rc = 0 ]; then bad "$1: deps.sh succeeded without a mirror"
    elif [ $rc = 124 ]; then bad "$1: deps.sh still running after 120 s"
    elif grep "$2/debian" "$tmp/$1.log" | grep -q "cannot reach the package mirror after 2 attempts"; then
        ok "$1: fails in $took s: $(grep -o 'cannot reach.*attempts' "$tmp/$1.log")"
    else cat "$tmp/$1.log"; bad "$1: no message naming the unreachable mirror"; fi
}

# A port nothing listens on: connection refused.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fresh_run refused "http://127.0.0.1:$port"

# A server that accepts connections and never answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
conns = []
end = time.time() + 150
s.settimeout(1)
while time.time() < end:
    try: conns.append(s.accept()[0])
    except socket.timeout: pass
' > "$tmp/port" &
srv=$!
while [ ! -s "$tmp/port" ]; do sleep 0.1; done
fresh_run silent "http://127.0.0.1:$(cat "$tmp/port")"

# --pins names every pinned item.
n=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' mk/pins.txt | wc -l)
m=$(./mk/deps.sh --pins | grep -c '^deps:   ')
[ "$n" -gt 0 ] && [ "$n" = "$m" ] && ok "--pins prints all $n pins" || bad "--pins printed $m of $n pins"

# With everything installed and fetched, an unprivileged user runs it with
# no output and no network (the mirror variables point nowhere).
if [ "$(id -u)" = 0 ] && ./mk/deps.sh --pins | grep -q 'MISSING\|HOLDS'; then
    echo "skip: third_party/ is not complete, so the unprivileged run is not meaningful"
elif [ "$(id -u)" = 0 ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups \
        sh -c 'test -x mk/deps.sh && test -r mk/pins.txt && ls third_party/src/lz4/.fetched' > /dev/null 2>&1; then
    echo "skip: uid 65534 cannot read this checkout, so the unprivileged run cannot be tried here"
elif [ "$(id -u)" = 0 ]; then
    rc=0
    SMX_DEBIAN_MIRROR=http://127.0.0.1:$port/debian \
        setpriv --reuid=65534 --regid=65534 --clear-groups ./mk/deps.sh > "$tmp/user.log" 2>&1 || rc=$?
    if [ $rc = 0 ] && [ ! -s "$tmp/user.log" ]; then ok "complete tree: uid 65534 runs deps.sh silently"
    else cat "$tmp/user.log"; bad "complete tree: uid 65534 got exit $rc"; fi
else
    ./mk/deps.sh > "$tmp/user.log" 2>&1 && [ ! -s "$tmp/user.log" ] &&
        ok "complete tree: uid $(id -u) runs deps.sh silently" || bad "deps.sh as uid $(id -u)"
fi
exit $fail
