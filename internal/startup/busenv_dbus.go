//go:build linux || freebsd || openbsd || netbsd

package startup

import (
	"os"
	"path/filepath"
)

// NoBusAutolaunch stops godbus from starting a session bus of its own (with
// dbus-launch) when there is none, as on an SSH login: each command would
// leave a dbus-daemon behind. With no bus, the keyring and the tray are
// simply unavailable, and the app says so.
func NoBusAutolaunch() {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	if run := os.Getenv("XDG_RUNTIME_DIR"); run != "" {
		if fi, err := os.Stat(filepath.Join(run, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return // godbus finds this one by itself
		}
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") //nolint:errcheck // cannot fail for a valid name
}
