#!/bin/sh
# msi.sh VERSION BINDIR OUT.msi: builds the Windows installer of
# windows/msi/ucontact-tray.wxs with Debian's wixl, from the two programs
# in BINDIR (ucontact-tray.exe and ucontact-tray-window.exe, made by
# `make windows`), as version VERSION (numbers: 1.2.3). `make package` runs
# it with FyneApp.toml's version; the tests run it with a later one to
# check an upgrade. It prints the installer's ProductCode.
set -eu
version=$1 bindir=$2 out=$3
here=$(dirname "$0")
top=$(cd "$here/.." && pwd)
name=$("$here/appinfo.sh" Name)
id=$("$here/appinfo.sh" ID)

# Windows Installer compares versions as major.minor.build, each a number
# (major and minor below 256).
case $version in
*[!0-9.]* | *.*.*.* | .* | *. | *..*) echo "msi.sh: version \"$version\" must be numbers like 1.2.3" >&2; exit 1 ;;
esac

# Each version has its own ProductCode, the same in every build of it: a
# name-based UUID (version 5 layout) of the app's ID and the version, so
# that a detection rule written for one version stays true.
hash=$(printf '%s %s' "$id" "$version" | sha1sum | cut -c1-32)
variant=$(printf '%x' $(((0x$(echo "$hash" | cut -c17) & 3) | 8)))
productcode=$(echo "$hash" | sed -E "s/^(.{8})(.{4}).(.{3}).(.{3})(.{12})$/\\1-\\2-5\\3-$variant\\4-\\5/")

# file_version EXE prints the version in EXE's version resource: a.b.c.d,
# from the VS_FIXEDFILEINFO (signature FEEF04BD) that follows the UTF-16
# key "VS_VERSION_INFO".
file_version() {
	sig='V\x00S\x00_\x00V\x00E\x00R\x00S\x00I\x00O\x00N\x00_\x00I\x00N\x00F\x00O\x00\x00\x00(?:\x00\x00)?'
	at=$(LC_ALL=C grep -obUaP "$sig\\K\\xbd\\x04\\xef\\xfe" "$1" | head -n 1 | cut -d: -f1)
	if [ -z "$at" ]; then
		echo "msi.sh: $1 has no version resource" >&2
		exit 1
	fi
	# dwFileVersionMS then LS, little-endian halves: b a d c.
	od -An -tu2 -j $((at + 8)) -N 8 "$1" | awk '{ print $2 "." $1 "." $4 "." $3 }'
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$bindir/ucontact-tray.exe" "$bindir/ucontact-tray-window.exe" "$top/assets/icons/app.ico" "$stage/"
# The custom action that runs `ucontact-tray admin …` and logs what it says.
x86_64-w64-mingw32-gcc -std=c11 -Wall -O2 -s -shared -static-libgcc -municode \
	-o "$stage/runlogged.dll" "$top/windows/msi/runlogged.c" -lmsi

# wixl finds the files by relative names only.
(cd "$stage" && wixl --arch x64 -D Name="$name" -D Version="$version" -D ProductCode="$productcode" \
	--output "$stage/out.msi" "$top/windows/msi/ucontact-tray.wxs")
# What wixl cannot say. The properties an administrator passes are secure:
# passed to the installing service even by a user allowed to install
# elevated (wixl writes this property for the upgrade's own only). The
# strings are Windows-1252 (wixl leaves the database's code page neutral).
msibuild "$stage/out.msi" -q "UPDATE \`Property\` SET \`Value\` = 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;SERVER;KIND;LOGOUT_ON_SUSPEND;AUTOSTART;LOCK' WHERE \`Property\` = 'SecureCustomProperties'"
# The programs' versions, which wixl leaves out: without them Windows
# Installer takes the programs for unversioned files, which never replace
# the versioned ones of an older version still installed. (The hashes are
# for unversioned files only.)
for row in TrayAppExe:ucontact-tray.exe WindowExe:ucontact-tray-window.exe; do
	key=${row%%:*} exe=$stage/${row#*:}
	msibuild "$stage/out.msi" -q "UPDATE \`File\` SET \`Version\` = '$(file_version "$exe")', \`Language\` = '1033' WHERE \`File\` = '$key'"
	msibuild "$stage/out.msi" -q "DELETE FROM \`MsiFileHash\` WHERE \`File_\` = '$key'"
done
printf '\r\n\r\n1252\t_ForceCodepage\r\n' >"$stage/_ForceCodepage.idt"
msibuild "$stage/out.msi" -i "$stage/_ForceCodepage.idt"

mv "$stage/out.msi" "$out"
echo "$out ProductCode={$(echo "$productcode" | tr a-f A-F)}"
