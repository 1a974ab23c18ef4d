#!/bin/sh
# desktop-entry.sh VERSION OUT: writes the app's desktop entry (the
# applications menu's "uContact Tray", running the installed ucontact-tray)
# to OUT, and checks it with desktop-file-validate. The Linux archive and
# packages (scripts/package.sh, scripts/linux-packages.sh) install it as
# share/applications/<ID>.desktop, ID from FyneApp.toml.
set -eu
version=$1 out=$2
here=$(dirname "$0")
id=$("$here/appinfo.sh" ID)
name=$("$here/appinfo.sh" Name)
cat >"$out" <<DESKTOP
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
Terminal=false
Categories=Network;
Keywords=uContact;session;agent;logout;
Keywords[es]=uContact;sesión;agente;cerrar sesión;
X-Version=$version
DESKTOP
desktop-file-validate "$out"
