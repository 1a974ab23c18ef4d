package testenv

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// DesktopOptions says which services a Desktop runs besides its session
// bus.
type DesktopOptions struct {
	// NoBus leaves the desktop without a session bus: its address points
	// where nothing listens, so there is no Secret Service, tray or
	// notification server at all. The other options need a bus.
	NoBus   bool
	Keyring bool // a real gnome-keyring
	Tray    bool // a status-notifier watcher, as a panel runs
	Display bool // Xvfb
	// Framebuffer is Display with the screen's pixels readable by the test
	// (see StartXvfbFramebuffer).
	Framebuffer bool
	// Logind, if not zero, runs a fake logind with this InhibitDelayMaxUSec
	// on a private system bus.
	Logind time.Duration
}

// Desktop is an agent's desktop session for the programs a test starts: a
// session bus with a notification server (and, as asked, a keyring and a
// tray), perhaps a display, and a system bus that is never the machine's
// own. Everything is stopped when the test ends.
type Desktop struct {
	Bus     string // DBUS_SESSION_BUS_ADDRESS
	System  string // DBUS_SYSTEM_BUS_ADDRESS
	Display string // DISPLAY; "" without one
	Notes   *Notifications
	Keyring *Keyring
	Watcher *Watcher
	Logind  *FakeLogind  // nil unless asked for
	FB      *Framebuffer // nil unless asked for
}

// StartDesktop starts the desktop o describes.
func StartDesktop(t testing.TB, o DesktopOptions) *Desktop {
	t.Helper()
	d := &Desktop{}
	nowhere := ShortTempDir(t)
	if o.NoBus {
		d.Bus = "unix:path=" + filepath.Join(nowhere, "no-bus")
	} else {
		d.Bus = StartBus(t)
		d.Notes = StartNotifications(t, d.Bus)
	}
	if o.Keyring {
		d.Keyring = StartKeyring(t, d.Bus)
	}
	if o.Tray {
		d.Watcher = StartWatcher(t, d.Bus)
	}
	switch {
	case o.Framebuffer:
		d.Display, d.FB = StartXvfbFramebuffer(t)
	case o.Display:
		d.Display = StartXvfb(t)
	}
	// Never the machine's own system bus: a private one with a fake logind,
	// or one where nothing listens.
	d.System = "unix:path=" + filepath.Join(nowhere, "no-system-bus")
	if o.Logind > 0 {
		d.System = StartBus(t)
		d.Logind = StartFakeLogind(t, d.System, o.Logind)
	}
	return d
}

// Home is a user's home for the programs a test starts, with the app's
// folders (settings, logs, the session record, its socket) inside it.
type Home struct {
	Dir     string // HOME; XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_DATA_HOME are below it
	Runtime string // XDG_RUNTIME_DIR, short enough for a socket path
}

// NewHome is a fresh, empty home, removed when the test ends.
func NewHome(t testing.TB) Home {
	t.Helper()
	return Home{Dir: t.TempDir(), Runtime: ShortTempDir(t)}
}

// SystemDir is where the app reads the administrator's presets in this
// home (UCONTACT_TRAY_SYSTEM_DIR): never the machine's own, and empty
// unless a test writes there.
func (h Home) SystemDir() string { return filepath.Join(h.Dir, "system") }

// Env is the whole environment of a program run in home on this desktop,
// marked as this run's (see MarkRun); nothing else of the test's own
// environment but PATH.
func (d *Desktop) Env(home Home) []string {
	env := []string{
		"HOME=" + home.Dir,
		"XDG_CONFIG_HOME=" + filepath.Join(home.Dir, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home.Dir, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home.Dir, ".local", "share"),
		"XDG_RUNTIME_DIR=" + home.Runtime,
		"UCONTACT_TRAY_SYSTEM_DIR=" + home.SystemDir(),
		"DBUS_SESSION_BUS_ADDRESS=" + d.Bus,
		"DBUS_SYSTEM_BUS_ADDRESS=" + d.System,
		"PATH=" + os.Getenv("PATH"),
		"LANG=es_ES.UTF-8",
		"NO_AT_BRIDGE=1",
		RunMark(),
	}
	if d.Display != "" {
		env = append(env, "DISPLAY="+d.Display)
	}
	return env
}
