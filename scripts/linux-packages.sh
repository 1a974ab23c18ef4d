#!/bin/sh
# linux-packages.sh VERSION BINDIR OUTDIR: builds the .deb and the .rpm of
# linux/nfpm.yaml with nfpm (the tool pinned in linux/go.mod, built by Go
# from the module proxy), from the two programs in BINDIR (made by `make
# build`), as version VERSION, release FyneApp.toml's Build, into OUTDIR.
# `make package` runs it with FyneApp.toml's version (or PACKAGE_VERSION);
# the tests run it with a later one to check an upgrade. It prints the
# packages' paths.
set -eu
version=$1 bindir=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bindir=$(cd "$bindir" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
PKG_ID=$("$here/appinfo.sh" ID)
PKG_DESKTOP=$stage/$PKG_ID.desktop
"$here/desktop-entry.sh" "$version" "$PKG_DESKTOP"

PKG_VERSION=$version
PKG_RELEASE=$("$here/appinfo.sh" Build)
PKG_BINDIR=$bindir
PKG_TOP=$top
export PKG_VERSION PKG_RELEASE PKG_BINDIR PKG_TOP PKG_DESKTOP PKG_ID
# The tool's own module, so that the app's go.mod does not carry it.
for packager in deb rpm; do
	if ! go -C "$top/linux" tool nfpm package --config nfpm.yaml --packager "$packager" --target "$out/" \
		>"$stage/nfpm.log" 2>&1; then
		cat "$stage/nfpm.log" >&2
		exit 1
	fi
	sed -n 's/^.*created package: //p' "$stage/nfpm.log"
done
