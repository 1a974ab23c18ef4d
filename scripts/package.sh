#!/bin/sh
# package.sh VERSION: packs what `make build` and `make windows` made into
# dist/:
#   ucontact-tray_<version>_linux_amd64.tar.gz  extract at / (sudo tar -xzf … -C /):
#       usr/local/bin/ucontact-tray, usr/local/bin/ucontact-tray-window,
#       the desktop entry, the icon and the README;
#   ucontact-tray_<version>_windows_amd64.zip   both .exe, with their icon and
#       version information, for a software-distribution tool;
#   ucontact-tray_<version>_x64.msi   the Windows installer (scripts/msi.sh),
#       for GPO, Intune or SCCM.
# The name, ID and version come from FyneApp.toml.
set -eu
version=$1
here=$(dirname "$0")
top=$(cd "$here/.." && pwd)
id=$("$here/appinfo.sh" ID)
name=$("$here/appinfo.sh" Name)
semver=$("$here/appinfo.sh" Version)
dist=$top/dist
mkdir -p "$dist"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Linux.
prefix=$stage/linux/usr/local
install -Dm0755 "$top/bin/ucontact-tray" "$prefix/bin/ucontact-tray"
install -Dm0755 "$top/bin/ucontact-tray-window" "$prefix/bin/ucontact-tray-window"
install -Dm0644 "$top/assets/icons/app.png" "$prefix/share/icons/hicolor/256x256/apps/$id.png"
install -Dm0644 "$top/README.md" "$prefix/share/doc/ucontact-tray/README.md"
mkdir -p "$prefix/share/applications"
cat >"$prefix/share/applications/$id.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=$name
GenericName=uContact session
GenericName[es]=Sesión de uContact
Comment=Ends your uContact session, even when you forget
Comment[es]=Cierra su sesión de uContact, aunque usted lo olvide
Exec=ucontact-tray
TryExec=ucontact-tray
Icon=$id
StartupWMClass=$id
Terminal=false
Categories=Network;
Keywords=uContact;session;agent;logout;
Keywords[es]=uContact;sesión;agente;cerrar sesión;
X-Version=$version
DESKTOP
desktop-file-validate "$prefix/share/applications/$id.desktop"
linux=$dist/ucontact-tray_${semver}_linux_amd64.tar.gz
# Files only: extracting at / must not touch the folders that are there.
(cd "$stage/linux" && find usr -type f | sort) >"$stage/files"
tar --create --gzip --file "$linux" --directory "$stage/linux" \
	--owner=0 --group=0 --numeric-owner --files-from "$stage/files"
echo "$linux"

# Windows.
mkdir -p "$stage/windows"
cp "$top/bin/ucontact-tray.exe" "$top/bin/ucontact-tray-window.exe" "$stage/windows/"
windows=$dist/ucontact-tray_${semver}_windows_amd64.zip
rm -f "$windows"
(cd "$stage/windows" && zip -q -X "$windows" ucontact-tray.exe ucontact-tray-window.exe)
echo "$windows"
"$here/msi.sh" "$semver" "$top/bin" "$dist/ucontact-tray_${semver}_x64.msi"
