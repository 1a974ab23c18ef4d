package tray

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestSystrayInternals fails when the fyne.io/systray go.mod pins no
// longer does what systray_internals.go says: read its notes and check
// each one against the new version's source before changing the pins.
func TestSystrayInternals(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-json", systrayModule).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", systrayModule, err)
	}
	var mod struct{ Version, Dir string }
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	if mod.Version != systrayVersion {
		t.Fatalf("go.mod requires %s %s; systray_internals.go was checked against %s", systrayModule, mod.Version, systrayVersion)
	}
	if mod.Dir == "" {
		t.Fatalf("the source of %s %s is not in the module cache (go mod download)", systrayModule, mod.Version)
	}
	q := regexp.QuoteMeta
	for file, wants := range map[string][]string{
		"systray_unix.go": {
			`path\s*=\s*` + q(strconv.Quote(systrayItemPath)),
			q(`fmt.Sprintf(` + strconv.Quote(systrayItemNameFmt) + `, os.Getpid())`),
			q(`dbus.SessionBus()`),
			q(`.RegisterStatusNotifierItem", 0, path)`),
		},
		"systray_menu_unix.go": {
			// The first menu request after a reset is served one level deep.
			`if !firstGetLayoutDone \{\s*firstGetLayoutDone = true\s*depth = 1`,
			`(?s)func resetMenu\(\) \{.{0,200}?firstGetLayoutDone = false`,
		},
		"systray.go": {
			// ResetMenu removes every entry, closing its ClickedCh.
			`(?s)func ResetMenu\(\) \{.{0,400}?item\.Remove\(\)`,
			`close\(item\.ClickedCh\)`,
		},
		"systray_windows.go": {
			`className\s*=\s*` + q(strconv.Quote(systrayWindowClass)),
			`ID:\s*` + strconv.Itoa(systrayIconID) + `,`,
			// The icon comes back in a new taskbar without its tooltip.
			`case t\.wmTaskbarCreated:[^}]*?t\.nid\.add\(\)`,
			// WM_ENDSESSION ends systray whatever its wParam says.
			`case WM_ENDSESSION:\s*t\.muNID\.Lock\(\)`,
			// Its NOTIFYICONDATAW has uTimeout and uVersion as two fields.
			`Timeout, Version\s+uint32`,
		},
	} {
		src, err := os.ReadFile(filepath.Join(mod.Dir, file))
		if err != nil {
			t.Errorf("%s %s: %v", systrayModule, mod.Version, err)
			continue
		}
		for _, want := range wants {
			if !regexp.MustCompile(want).Match(src) {
				t.Errorf("%s %s: %s no longer matches %s", systrayModule, mod.Version, file, want)
			}
		}
	}
}
