#!/bin/sh
# winres.sh OUT.syso PROGRAM DESCRIPTION VERSION: writes the Windows
# resources of one program (its icon, and the version information the
# Explorer's Properties and an IT admin's inventory show) as an object file
# that `go build` links into the .exe when it sits in the package's folder.
# The name, version and build come from FyneApp.toml.
set -eu
out=$1 program=$2 description=$3 version=$4
here=$(dirname "$0")
name=$("$here/appinfo.sh" Name)
semver=$("$here/appinfo.sh" Version)
build=$("$here/appinfo.sh" Build)
numeric=$(echo "$semver.$build" | tr . ,)
case $numeric in
*[!0-9,]* | *,*,*,*,*) echo "winres.sh: Version \"$semver\" and Build \"$build\" must be numbers like 1.2.3 and 4" >&2; exit 1 ;;
esac
icon=$(cd "$here/../assets/icons" && pwd)/app.ico
rc=$(mktemp --suffix=.rc)
trap 'rm -f "$rc"' EXIT
cat >"$rc" <<RC
1 ICON "$icon"
1 VERSIONINFO
FILEVERSION $numeric
PRODUCTVERSION $numeric
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "FileDescription", "$description"
      VALUE "FileVersion", "$version"
      VALUE "InternalName", "$program"
      VALUE "OriginalFilename", "$program.exe"
      VALUE "ProductName", "$name"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
x86_64-w64-mingw32-windres --input "$rc" --output-format coff --output "$out"
