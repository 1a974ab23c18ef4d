//go:build linux || freebsd || openbsd || netbsd

package startup

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"ucontact-tray/internal/testenv"
)

func TestNoBusAutolaunch(t *testing.T) {
	withSocket := testenv.TempDir(t)
	l, err := net.Listen("unix", filepath.Join(withSocket, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	withFile := testenv.TempDir(t)
	if err := os.WriteFile(filepath.Join(withFile, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, address, runtimeDir, want string
	}{
		{"an address is kept", "unix:path=/run/user/1000/bus", withSocket, "unix:path=/run/user/1000/bus"},
		{"the runtime folder's bus is left for godbus to find", "", withSocket, ""},
		{"no bus: autolaunch is turned off", "", testenv.TempDir(t), "disabled:"},
		{"a file named bus is no bus", "", withFile, "disabled:"},
		{"no runtime folder", "", "", "disabled:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tc.address)
			t.Setenv("XDG_RUNTIME_DIR", tc.runtimeDir)
			NoBusAutolaunch()
			if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got != tc.want {
				t.Errorf("DBUS_SESSION_BUS_ADDRESS = %q, want %q", got, tc.want)
			}
		})
	}
}
