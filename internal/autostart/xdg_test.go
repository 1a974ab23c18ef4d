//go:build !windows && !darwin

package autostart

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ucontact-tray/internal/testenv"
)

const exe = "/opt/ucontact tray/bin/ucontact-tray"

func newEntry(t *testing.T) (*Entry, string) {
	t.Helper()
	config := filepath.Join(t.TempDir(), "config") // like an XDG_CONFIG_HOME not made yet
	e, err := New(exe, config)
	if err != nil {
		t.Fatal(err)
	}
	return e, filepath.Join(config, "autostart", "ucontact-tray.desktop")
}

func TestEnableWritesTheDesktopEntry(t *testing.T) {
	e, path := newEntry(t)
	if on, err := e.IsEnabled(); on || err != nil {
		t.Fatalf("IsEnabled before = %v, %v", on, err)
	}
	for range 2 { // idempotent
		if err := e.Enable(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	content := string(b)
	for _, line := range []string{
		"[Desktop Entry]",
		"Type=Application",
		`Exec="/opt/ucontact tray/bin/ucontact-tray"`,
		"X-GNOME-Autostart-enabled=true",
		xdgMarker,
		// What the desktop's startup settings list: Spanish unless the
		// locale is English, as the app itself speaks.
		"Name=uContact Tray",
		"Name[es]=uContact Tray",
		"Comment=Cierra su sesión de uContact, aunque usted lo olvide",
		"Comment[es]=Cierra su sesión de uContact, aunque usted lo olvide",
		"Comment[en]=Ends your uContact session, even when you forget",
	} {
		if !strings.Contains(content, "\n"+line+"\n") {
			t.Errorf("no line %q in:\n%s", line, content)
		}
	}
	validate := exec.Command(testenv.Require(t, "desktop-file-validate", "desktop-file-utils"), path)
	if out, err := validate.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	if on, err := e.IsEnabled(); !on || err != nil {
		t.Errorf("IsEnabled = %v, %v", on, err)
	}
	// Nothing else was left in the folder (no temporary files).
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the autostart folder holds %d files", len(entries))
	}
}

func TestDisableRemovesOnlyOurs(t *testing.T) {
	e, path := newEntry(t)
	if err := e.Disable(); err != nil {
		t.Fatalf("Disable with nothing there = %v", err)
	}
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(path), "other.desktop")
	if err := os.WriteFile(other, []byte("[Desktop Entry]\nExec=other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := e.Disable(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the entry is still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another program's entry went: %v", err)
	}
	if on, err := e.IsEnabled(); on || err != nil {
		t.Errorf("IsEnabled after = %v, %v", on, err)
	}
}

// An entry of the same name that someone else wrote (an administrator, a
// package) is never changed or removed.
func TestAnotherEntryOfTheSameNameIsLeftAlone(t *testing.T) {
	e, path := newEntry(t)
	theirs := "[Desktop Entry]\nType=Application\nExec=/usr/bin/ucontact-tray\n"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(theirs), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Enable(); !errors.Is(err, ErrNotOurs) {
		t.Errorf("Enable = %v, want ErrNotOurs", err)
	}
	if err := e.Disable(); !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), path) {
		t.Errorf("Disable = %v, want ErrNotOurs naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != theirs {
		t.Errorf("their entry changed:\n%s", b)
	}
	if on, err := e.IsEnabled(); on || err != nil {
		t.Errorf("IsEnabled = %v, %v; want false: it is not ours", on, err)
	}
}

// The desktop's own startup settings may turn the entry off; Enable turns
// it on again.
func TestTurnedOffByTheDesktop(t *testing.T) {
	e, path := newEntry(t)
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	off := strings.Replace(string(b), "X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false", 1)
	if err := os.WriteFile(path, []byte(off), 0o644); err != nil {
		t.Fatal(err)
	}
	if on, err := e.IsEnabled(); on || err != nil {
		t.Errorf("IsEnabled = %v, %v; want false", on, err)
	}
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	if on, err := e.IsEnabled(); !on || err != nil {
		t.Errorf("IsEnabled after Enable = %v, %v", on, err)
	}
}

func TestErrorsAreWrapped(t *testing.T) {
	e, path := newEntry(t)
	// The autostart folder is a file: nothing can be read or written there.
	if err := os.MkdirAll(filepath.Dir(filepath.Dir(path)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Dir(path), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{"Enable": e.Enable(), "Disable": e.Disable()} {
		if !errors.Is(err, syscall.ENOTDIR) || !strings.HasPrefix(err.Error(), "reading the autostart entry: ") {
			t.Errorf("%s = %v", name, err)
		}
	}
	if _, err := e.IsEnabled(); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("IsEnabled = %v", err)
	}
}

func TestNew(t *testing.T) {
	if _, err := New("ucontact-tray", "/home/ana/.config"); err == nil {
		t.Error("a relative path was accepted")
	}
	e, err := New(exe, "/home/ana/.config")
	if err != nil || e.dir != "/home/ana/.config/autostart" {
		t.Errorf("New = %+v, %v", e, err)
	}
}

func TestDesktopExec(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/usr/bin/ucontact-tray", `"/usr/bin/ucontact-tray"`},
		{"/opt/my apps/ucontact-tray", `"/opt/my apps/ucontact-tray"`},
		{"/opt/100%/ucontact-tray", `"/opt/100%%/ucontact-tray"`},
		{"/opt/$HOME/a`b`", "\"/opt/\\\\$HOME/a\\\\`b\\\\`\""},
		{`/opt/say "hi"/x`, `"/opt/say \\"hi\\"/x"`},
		{`/opt/back\slash`, `"/opt/back\\\\slash"`},
	}
	for _, tt := range tests {
		got, err := desktopExec(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("desktopExec(%q) = %s, %v; want %s", tt.path, got, err, tt.want)
		}
	}
	if _, err := desktopExec("/opt/a\nb"); err == nil {
		t.Error("a line break was accepted")
	}
}
