#!/bin/sh
# make deps: install the Debian packages the project needs and fetch the
# third-party sources and the guest kernel into third_party/ (ignored by git).
#
# Idempotent and quiet when nothing is missing: one dpkg-query plus a stamp
# check per fetched item. The system's APT sources are never edited: source
# packages come through a private APT configuration under third_party/apt/
# that adds the deb-src entry.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tp="$top/third_party"
say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages --------------------------------------------------------
want=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/mk/packages.txt")
missing=""
for p in $want; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root, or install them)"
    say "installing:$missing"
    apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $missing >/dev/null || die "apt-get install failed for:$missing"
fi

# --- private APT configuration with a deb-src entry ---------------------------
apt="$tp/apt"
apt_ready() { [ -f "$apt/.updated" ]; }
apt_setup() {
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/sources.list.d" \
             "$apt/etc/preferences.d"
    # Take the mirror and suite from the system's own configuration.
    uri=$(grep -h -E '^(URIs:|deb )' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null |
          grep -v security | head -n1 | sed -E 's/^URIs: *//; s/^deb +(\[[^]]*\] +)?//; s/ .*//')
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$uri" "$suite" > "$apt/etc/sources.list"
    cat > "$apt/apt.conf" <<EOF
Dir::Etc::sourcelist "$apt/etc/sources.list";
Dir::Etc::sourceparts "$apt/etc/sources.list.d";
Dir::Etc::preferencesparts "$apt/etc/preferences.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Sandbox::User "root";
EOF
    APT_CONFIG="$apt/apt.conf" apt-get update -qq || die "apt-get update (deb-src) failed"
    touch "$apt/.updated"
}

# fetch_source PACKAGE UPSTREAM_VERSION DIRNAME
fetch_source() {
    pkg=$1 upstream=$2 dir=$3
    [ -f "$tp/src/$dir/.fetched" ] && return 0
    apt_ready || apt_setup
    ver=$(APT_CONFIG="$apt/apt.conf" apt-cache showsrc "$pkg" | awk '/^Version:/{print $2}' |
          grep -E "^([0-9]+:)?$upstream([+~-]|$)" | head -n1)
    [ -n "$ver" ] || die "no source package $pkg with upstream version $upstream"
    say "fetching source $pkg $ver"
    mkdir -p "$tp/src/.work"
    rm -rf "$tp/src/.work/$pkg" "$tp/src/$dir"
    mkdir "$tp/src/.work/$pkg"
    (cd "$tp/src/.work/$pkg" && APT_CONFIG="$apt/apt.conf" apt-get source -qq "$pkg=$ver" >/dev/null 2>&1) ||
        die "apt-get source $pkg=$ver failed"
    src=$(find "$tp/src/.work/$pkg" -mindepth 1 -maxdepth 1 -type d | head -n1)
    [ -n "$src" ] || die "apt-get source $pkg produced no tree"
    mv "$src" "$tp/src/$dir"
    rm -rf "$tp/src/.work/$pkg"
    echo "$pkg $ver" > "$tp/src/$dir/.fetched"
}

fetch_source lwip 2.1.3 lwip
fetch_source lz4 1.9.4 lz4
fetch_source bearssl 0.6 bearssl

# --- the guest kernel: Debian's linux-image-amd64, unpacked, never installed -
kdir="$tp/kernel"
if [ ! -f "$kdir/.fetched" ]; then
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    if [ -z "$kpkg" ]; then
        apt-get update -qq || die "apt-get update failed"
        kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
    fi
    [ -n "$kpkg" ] || die "cannot resolve linux-image-amd64"
    say "fetching kernel $kpkg"
    rm -rf "$kdir" && mkdir -p "$kdir/deb"
    (cd "$kdir/deb" && apt-get download -qq "$kpkg" >/dev/null 2>&1) || die "apt-get download $kpkg failed"
    dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
    cp "$kdir"/root/boot/vmlinuz-* "$kdir/vmlinuz"
    cp "$kdir"/root/boot/config-* "$kdir/config"
    # The guests need no modules: what they use (8250, ACPI sleep) is built in.
    rm -rf "$kdir/root" "$kdir/deb"
    echo "$kpkg" > "$kdir/.fetched"
fi
exit 0
