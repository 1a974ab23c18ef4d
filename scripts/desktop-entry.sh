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
# Spanish is the app's language wherever the locale is not English, so it
# is the entry's too: the plain keys (what a desktop shows for a locale
# without its own) and es; English for en. StartupWMClass is the window's
# X11 class, for docks to match the window to this entry.
cat >"$out" <<DESKTOP
[Desktop Entry]
Type=Application
Name=$name
GenericName=Sesión de uContact
GenericName[es]=Sesión de uContact
GenericName[en]=uContact session
Comment=Cierra su sesión de uContact, aunque usted lo olvide
Comment[es]=Cierra su sesión de uContact, aunque usted lo olvide
Comment[en]=Ends your uContact session, even when you forget
Exec=ucontact-tray
TryExec=ucontact-tray
Icon=$id
StartupWMClass=$id
Terminal=false
Categories=Network;
Keywords=uContact;sesión;agente;cerrar sesión;
Keywords[es]=uContact;sesión;agente;cerrar sesión;
Keywords[en]=uContact;session;agent;logout;
X-Version=$version
DESKTOP
desktop-file-validate "$out"
