#!/usr/bin/env bash
# Builds a release trustaudit with the Swift standard library and Foundation linked statically,
# checks that the binary needs nothing beyond the C library and SQLite at run time, and writes
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

echo "== building trustaudit $version (release, static Swift standard library) in $scratch" >&2
cd "$root"
swift build -c release --product trustaudit --static-swift-stdlib --scratch-path "$scratch" >&2
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/trustaudit"

# Every shared library the binary loads must be part of the C library (glibc's libc, libm,
# libpthread, libdl, librt, libutil, the loader, the kernel's vDSO) or SQLite; anything else
# would have to be installed on the machine that runs the audit.
echo "== checking shared libraries" >&2
libraries="$(ldd "$bin" | awk '{print $1}')"
unexpected=""
for library in $libraries; do
    case "$library" in
        linux-vdso.so.*|linux-gate.so.*|/lib*/ld-linux*.so.*|ld-linux*.so.*) ;;
        libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libutil.so.*) ;;
        libsqlite3.so.*) ;;
        *) unexpected="$unexpected $library" ;;
    esac
done
if [ -n "$unexpected" ]; then
    echo "package.sh: $bin needs libraries beyond the C library and SQLite:$unexpected" >&2
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
