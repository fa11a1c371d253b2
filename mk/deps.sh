#!/bin/sh
# SPDX-License-Identifier: MIT
# make deps: install the Debian packages the project needs and fetch the
# pinned third-party sources and guest kernels (mk/pins.txt) into
# third_party/ (ignored by git).
#
#   mk/deps.sh          install what is missing, fetch what is not pinned yet
#   mk/deps.sh --pins   print the pins and what third_party/ holds; no network
#
# Idempotent and quiet when nothing is missing: one dpkg-query plus a stamp
# check per pinned item, no network and no root. Root is needed only to
# install missing Debian packages. The system's APT configuration is never
# edited: sources and kernels come through a private APT configuration under
# third_party/apt/ (deb-src for the sources, the release and security suites
# for the kernels), whose lists are refreshed whenever its entries change or
# a pinned version is not in them.
#
# Every apt-get call is bounded: SMX_APT_TRIES attempts (default 3), each
# killed after SMX_APT_TIMEOUT seconds (default 600), SMX_APT_BACKOFF seconds
# times the attempt number between them (default 10). A mirror that cannot be
# reached ends the run with a message naming it instead of a hang.
#
# Overrides, for machines with their own mirror and for tests/deps/check.sh:
# SMX_DEBIAN_MIRROR, SMX_DEBIAN_SECURITY_MIRROR, SMX_THIRD_PARTY (folder),
# SMX_PINS (file).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tp=${SMX_THIRD_PARTY:-$top/third_party}
pins=${SMX_PINS:-$top/mk/pins.txt}
tries=${SMX_APT_TRIES:-3}
tmo=${SMX_APT_TIMEOUT:-600}
backoff=${SMX_APT_BACKOFF:-10}
say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# --- pins --------------------------------------------------------------------
# A folder holds a pin when its stamp says so. A kernel fetched before stamps
# carried versions is recognised by the version its image declares.
kernel_is() { grep -qaF "Debian $2 (" "$1/vmlinuz" 2>/dev/null; }
pin_held() { # kind pkg ver dir
    [ "$(cat "$tp/$4/.fetched" 2>/dev/null)" = "$2 $3" ] && return 0
    [ "$1" = kernel ] && kernel_is "$tp/$4" "$3" || return 1
    echo "$2 $3" > "$tp/$4/.fetched" 2>/dev/null || true
}

if [ "${1:-}" = --pins ]; then
    say "pinned third-party revisions (mk/pins.txt):"
    while read -r kind pkg ver dir _; do
        case $kind in ''|\#*) continue ;; esac
        if pin_held "$kind" "$pkg" "$ver" "$dir"; then st=fetched
        elif [ -f "$tp/$dir/.fetched" ]; then st="HOLDS $(cat "$tp/$dir/.fetched")"
        else st=MISSING; fi
        printf 'deps:   %-6s %-32s %-20s third_party/%-10s %s\n' "$kind" "$pkg" "$ver" "$dir" "$st"
    done < "$pins"
    exit 0
fi

# --- bounded apt-get -----------------------------------------------------------
apt_log=$(mktemp)
trap 'rm -f "$apt_log"' EXIT
APT_OPTS="-o Acquire::Retries=0 -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30"
net_reason='(Could not resolve|Could not connect|Connection failed|Connection timed out|Temporary failure resolving)'
net_error="^(Err:|[WE]: Failed to fetch|W: Some index files failed|E: Unable to fetch)|$net_reason"

# apt_retry WHAT COMMAND...: run COMMAND (an apt-get call) with a timeout;
# retry on network errors and timeouts only. apt-get update exits 0 when an
# index fails to download, so its output is read too.
apt_retry() {
    what=$1; shift
    n=1
    while :; do
        rc=0
        timeout -k 10 "$tmo" "$@" < /dev/null > "$apt_log" 2>&1 || rc=$?
        if [ $rc = 0 ] && ! grep -qE "$net_error" "$apt_log"; then return 0; fi
        if [ $rc = 124 ] || [ $rc = 137 ]; then why="timed out after $tmo s"
        elif grep -qE "$net_error" "$apt_log"; then
            why=$( (grep -E "$net_reason" "$apt_log" || grep -E "$net_error" "$apt_log") | head -n1 | sed 's/^ *//')
        else
            cat "$apt_log" >&2
            die "$what failed (exit $rc)"
        fi
        if [ $n -ge "$tries" ]; then
            die "$what: cannot reach the package mirror after $tries attempts ($why). Check the network, or point SMX_DEBIAN_MIRROR at a reachable mirror."
        fi
        say "$what: $why; attempt $((n + 1)) of $tries in $((n * backoff)) s"
        sleep $((n * backoff))
        n=$((n + 1))
    done
}

# Fetches into the shared third_party/ are serialised between checkouts.
locked=""
lock() {
    [ -n "$locked" ] && return 0
    mkdir -p "$tp"
    exec 9> "$tp/.deps.lock"
    flock 9
    locked=1
}

# --- Debian packages -------------------------------------------------------------
want=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/mk/packages.txt")
# One dpkg-query for all of them: a package it does not know is missing too.
# shellcheck disable=SC2086
have=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $want 2>/dev/null | awk '$2 == "installed" {print $1}' || true)
missing=""
for p in $want; do
    printf '%s\n' "$have" | grep -qxF "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "missing packages:$missing (run mk/deps.sh as root, or: apt-get install$missing)"
    say "installing:$missing"
    apt_retry "apt-get update" apt-get $APT_OPTS update
    # shellcheck disable=SC2086
    apt_retry "apt-get install" env DEBIAN_FRONTEND=noninteractive \
        apt-get $APT_OPTS install -y -q --no-install-recommends $missing
fi

# --- private APT configuration ------------------------------------------------------
apt="$tp/apt"
refreshed=""
apt_setup() {
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/sources.list.d" \
             "$apt/etc/preferences.d"
    # The mirror and suite are the system's own, unless overridden.
    uri=${SMX_DEBIAN_MIRROR:-$(grep -h -E '^(URIs:|deb )' /etc/apt/sources.list.d/debian.sources \
              /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 |
              sed -E 's/^URIs: *//; s/^deb +(\[[^]]*\] +)?//; s/ .*//')}
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    sec=${SMX_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    key=/usr/share/keyrings/debian-archive-keyring.gpg
    # Kernels move from the security suite to the release at point releases.
    {
        printf 'deb-src [signed-by=%s] %s %s main\n' "$key" "$uri" "$suite"
        printf 'deb [arch=amd64 signed-by=%s] %s %s main\n' "$key" "$uri" "$suite"
        printf 'deb [arch=amd64 signed-by=%s] %s %s-security main\n' "$key" "$sec" "$suite"
    } > "$apt/etc/sources.list.new"
    cat > "$apt/apt.conf" <<EOF
Dir::Etc::sourcelist "$apt/etc/sources.list";
Dir::Etc::sourceparts "$apt/etc/sources.list.d";
Dir::Etc::preferencesparts "$apt/etc/preferences.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Sandbox::User "root";
EOF
    rm -f "$apt/.updated"   # the old never-refresh stamp
    if ! cmp -s "$apt/etc/sources.list.new" "$apt/etc/sources.list"; then
        mv "$apt/etc/sources.list.new" "$apt/etc/sources.list"
        refresh "its entries changed"
    fi
    rm -f "$apt/etc/sources.list.new"
}
refresh() {
    say "refreshing the private package lists ($1)"
    # shellcheck disable=SC2086
    apt_retry "apt-get update ($uri)" env APT_CONFIG="$apt/apt.conf" apt-get $APT_OPTS update
    refreshed=1
}
ready=""
apt_ready() { [ -n "$ready" ] || { lock; apt_setup; ready=1; }; }
papt() { APT_CONFIG="$apt/apt.conf" "$@"; }

# has KIND PKG VER: the lists know that version.
has() {
    if [ "$1" = source ]; then
        papt apt-cache showsrc --only-source "$2" 2>/dev/null | awk '/^Version:/{print $2}'
    else
        papt apt-cache madison "$2" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}'
    fi | grep -qxF "$3"
}
# A pinned version missing from the lists: refresh once, then give up naming
# what Debian has instead.
find_pin() {
    has "$@" && return 0
    [ -n "$refreshed" ] || refresh "$2 $3 is not in them"
    has "$@" && return 0
    if [ "$1" = source ]; then
        now=$(papt apt-cache showsrc --only-source "$2" 2>/dev/null | awk '/^Version:/{print $2}' | tr '\n' ' ')
    else
        now=$(papt apt-cache madison "$2" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | tr '\n' ' ')
    fi
    die "Debian no longer has $1 $2 $3 (it has: ${now:-no version of $2}). Pin a version it has in mk/pins.txt."
}

# fetch_source PKG VER DIR
fetch_source() {
    pkg=$1 ver=$2 dir=$3
    work="$tp/.work/$pkg"
    say "fetching source $pkg $ver"
    rm -rf "$work" && mkdir -p "$work"
    apt_retry "apt-get source $pkg=$ver" \
        sh -c 'cd "$1" && shift && exec "$@"' - "$work" \
        env APT_CONFIG="$apt/apt.conf" apt-get $APT_OPTS source -q "$pkg=$ver"
    src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
    [ -n "$src" ] || die "apt-get source $pkg=$ver produced no tree"
    echo "$pkg $ver" > "$src/.fetched"
    rm -rf "$tp/$dir" && mkdir -p "$(dirname "$tp/$dir")" && mv "$src" "$tp/$dir"
    rm -rf "$work"
}

# fetch_kernel PKG VER DIR: Debian's kernel image package, unpacked (its
# /boot only: the guests need no modules, what they use is built in), never
# installed. The image must declare the pinned version.
fetch_kernel() {
    pkg=$1 ver=$2 dir=$3
    work="$tp/.work/$dir"
    say "fetching kernel $pkg $ver"
    rm -rf "$work" && mkdir -p "$work/deb" "$work/root" "$work/out"
    apt_retry "apt-get download $pkg=$ver" \
        sh -c 'cd "$1" && shift && exec "$@"' - "$work/deb" \
        env APT_CONFIG="$apt/apt.conf" apt-get $APT_OPTS download -q "$pkg=$ver"
    dpkg-deb --fsys-tarfile "$work"/deb/*.deb | tar -x -C "$work/root" --wildcards './boot/*' ||
        die "cannot unpack $pkg $ver"
    cp "$work"/root/boot/vmlinuz-* "$work/out/vmlinuz"
    cp "$work"/root/boot/config-* "$work/out/config"
    kernel_is "$work/out" "$ver" || die "$pkg $ver: its vmlinuz does not declare version $ver"
    echo "$pkg $ver" > "$work/out/.fetched"
    # Replace the folder in one rename, so a test running now sees either
    # the old kernel or the new one.
    rm -rf "$tp/$dir.old"
    [ ! -e "$tp/$dir" ] || mv "$tp/$dir" "$tp/$dir.old"
    mv "$work/out" "$tp/$dir"
    rm -rf "$tp/$dir.old" "$work"
}

# fetch_modules PKG VER DIR FILES: named modules of a kernel image package
# (FILES: comma-separated paths under lib/modules/<version>/kernel/), copied
# flat into DIR, never installed: what a test guest loads itself.
fetch_modules() {
    pkg=$1 ver=$2 dir=$3 files=$4
    work="$tp/.work/$dir"
    say "fetching modules of $pkg $ver: $files"
    rm -rf "$work" && mkdir -p "$work/deb" "$work/root" "$work/out"
    apt_retry "apt-get download $pkg=$ver" \
        sh -c 'cd "$1" && shift && exec "$@"' - "$work/deb" \
        env APT_CONFIG="$apt/apt.conf" apt-get $APT_OPTS download -q "$pkg=$ver"
    for f in $(printf '%s' "$files" | tr ',' ' '); do
        dpkg-deb --fsys-tarfile "$work"/deb/*.deb | tar -x -C "$work/root" --wildcards "./lib/modules/*/kernel/$f" ||
            die "$pkg $ver has no module $f"
        cp "$work"/root/lib/modules/*/kernel/"$f" "$work/out/" || die "$pkg $ver has no module $f"
    done
    echo "$pkg $ver" > "$work/out/.fetched"
    rm -rf "$tp/$dir.old"
    [ ! -e "$tp/$dir" ] || mv "$tp/$dir" "$tp/$dir.old"
    mkdir -p "$(dirname "$tp/$dir")"
    mv "$work/out" "$tp/$dir"
    rm -rf "$tp/$dir.old" "$work"
}

while read -r kind pkg ver dir files; do
    case $kind in ''|\#*) continue ;; esac
    pin_held "$kind" "$pkg" "$ver" "$dir" && continue
    apt_ready
    pin_held "$kind" "$pkg" "$ver" "$dir" && continue   # another checkout fetched it
    find_pin "$kind" "$pkg" "$ver"
    case $kind in
        source) fetch_source "$pkg" "$ver" "$dir" ;;
        kernel) fetch_kernel "$pkg" "$ver" "$dir" ;;
        modules) fetch_modules "$pkg" "$ver" "$dir" "$files" ;;
        *) die "mk/pins.txt: unknown kind '$kind'" ;;
    esac
done < "$pins"
exit 0
