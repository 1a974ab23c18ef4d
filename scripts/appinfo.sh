#!/bin/sh
# appinfo.sh KEY: prints a value of FyneApp.toml's [Details] (Icon, Name,
# ID, Version, Build), so that every build and package takes the app's
# identity from that one file.
set -eu
key=$1
file=$(dirname "$0")/../FyneApp.toml
value=$(sed -n "s/^$key *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" "$file")
if [ -z "$value" ]; then
	echo "appinfo.sh: no $key in $file" >&2
	exit 1
fi
echo "$value"
