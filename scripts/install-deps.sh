#!/usr/bin/env bash
# Installs the Debian packages the tests and the build need, if any is
# missing. Idempotent and quick when everything is there. Run as root, or
# with sudo available.
set -euo pipefail

packages=(
  gcc                 # cgo, for go test -race
  dbus-daemon         # private session buses in tests
  gnome-keyring       # a real Secret Service for the keyring tests
  libsecret-tools     # secret-tool, to check entries from outside the app
  pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev   # Fyne's GL/X11 build (the window)
  xvfb xauth libgl1-mesa-dri                 # a display for the end-to-end tests
  xdotool imagemagick                        # typing into the window, screenshots
  haskell-gtk-sni-tray-utils                 # a real tray host (gtk-sni-tray-standalone) for the tray tests
  haskell-status-notifier-item-utils         # a watcher of its own (status-notifier-watcher), as KDE keeps one
  gcc-mingw-w64-x86-64 wine wine64           # the Windows build and its test under Wine
  zip desktop-file-utils                     # make package: the Windows zip; checking the desktop entry
  wixl msitools                              # make package: the Windows installer; reading it in tests
  rpm                                        # reading the .rpm in tests (make package builds it with nfpm)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run as root, or install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
