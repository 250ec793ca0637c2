#!/usr/bin/env bash
# Builds a release trustaudit with the Swift standard library and Foundation linked statically,
# checks that the binary needs nothing beyond the C and C++ runtimes, SQLite and libcurl at run
# time, and writes
#   dist/trustaudit-<version>-<os>-<arch>.tar.gz          (trustaudit, README.md)
#   dist/trustaudit-<version>-<os>-<arch>.tar.gz.sha256   (sha256sum format: `sha256sum -c` checks it)
#
#   scripts/package.sh [--out DIR] [--scratch-path DIR]
#
# The version is ToolVersion.current, the one `trustaudit --version` and every report print.
# Builds in its own scratch folder (default .build-package) so it neither waits for nor disturbs
# a debug build in .build. Linux only: macOS binaries link the system's Swift runtime anyway.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/dist"
scratch="$root/.build-package"
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --scratch-path) scratch="$2"; shift 2 ;;
        *) echo "usage: $0 [--out DIR] [--scratch-path DIR]" >&2; exit 2 ;;
    esac
done

if [ "$(uname -s)" != Linux ]; then
    echo "package.sh: Linux only (found $(uname -s))" >&2
    exit 2
fi

version="$(sed -n 's/.*static let current = "\([^"]*\)".*/\1/p' "$root/Sources/TrustAuditCore/Support/ToolVersion.swift")"
if [ -z "$version" ]; then
    echo "package.sh: could not read ToolVersion.current from Sources/TrustAuditCore/Support/ToolVersion.swift" >&2
    exit 1
fi
arch="$(uname -m)"
name="trustaudit-$version-linux-$arch"

# FoundationNetworking (URLSession, which the live collectors use) is linked against the system's
# libcurl, so linking needs its development files; the binary then needs libcurl4 at run time.
if ! dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 && ! dpkg -s libcurl4-gnutls-dev >/dev/null 2>&1; then
    echo "== installing libcurl4-openssl-dev (to link FoundationNetworking)" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q </dev/null >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends libcurl4-openssl-dev </dev/null >&2
fi

echo "== building trustaudit $version (release, static Swift standard library) in $scratch" >&2
cd "$root"
swift build -c release --product trustaudit --static-swift-stdlib --scratch-path "$scratch" >&2
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/trustaudit"

# Every shared library the binary itself names (ELF NEEDED) must be part of the C library
# (glibc's libc, libm, libpthread, libdl, librt, libutil, the loader), the C++ runtime every
# glibc system has (libstdc++, libgcc_s: swift-crypto's BoringSSL is C++), SQLite or libcurl, the
# packages the machine that runs the audit installs (libsqlite3-0, libcurl4: both on GitHub's
# Ubuntu runners); anything else would be a new requirement. libcurl's own libraries come with
# its package.
echo "== checking shared libraries" >&2
libraries="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
unexpected=""
for library in $libraries; do
    case "$library" in
        ld-linux*.so.*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libutil.so.*) ;;
        libstdc++.so.*|libgcc_s.so.*) ;;
        libsqlite3.so.*|libcurl.so.*|libcurl-gnutls.so.*) ;;
        *) unexpected="$unexpected $library" ;;
    esac
done
if [ -n "$unexpected" ]; then
    echo "package.sh: $bin needs libraries beyond the C and C++ runtimes, SQLite and libcurl:$unexpected" >&2
    readelf -d "$bin" | grep NEEDED >&2
    exit 1
fi
if ldd "$bin" | grep -q "not found"; then
    echo "package.sh: $bin cannot find a library it needs on this machine:" >&2
    ldd "$bin" >&2
    exit 1
fi
echo "$libraries" | sed 's/^/   /' >&2

reported="$("$bin" --version)"
if [ "$reported" != "$version" ]; then
    echo "package.sh: the built binary reports version '$reported', expected '$version'" >&2
    exit 1
fi

mkdir -p "$out"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$name"
cp "$bin" "$staging/$name/trustaudit"
strip "$staging/$name/trustaudit" 2>/dev/null || true
cp "$root/README.md" "$staging/$name/"
# Fixed owner, order and times: the same binary gives the same tarball.
tar -C "$staging" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "$name" | gzip -9n > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
cat "$out/$name.tar.gz.sha256" >&2
