package settings

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"testing"
)

// The presets file the Linux packages install (linux/presets.conf, at
// SystemDir) changes nothing as installed, and is an example of every key:
// with the "#key = value" lines uncommented, it sets them all, and locks,
// with no problem.
func TestPackagedPresetsExample(t *testing.T) {
	if runtime.GOOS == "linux" {
		if dir := SystemDir(os.Getenv); dir != "/etc/ucontact-tray" {
			t.Errorf("SystemDir is %s; the packages install presets.conf in /etc/ucontact-tray", dir)
		}
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "linux", PresetsFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(data, []byte(writtenMark)) {
		t.Errorf("the example starts with %q: `admin uninstall` would take it for its own", writtenMark)
	}
	if p := ParsePresets(file, data); !reflect.DeepEqual(p, Presets{}) {
		t.Errorf("as installed, the example presets %+v", p)
	}

	setting := regexp.MustCompile(`(?m)^#([a-z_]+) = `)
	var keys []string
	for _, m := range setting.FindAllSubmatch(data, -1) {
		keys = append(keys, string(m[1]))
	}
	for _, key := range append([]string{KeyServer, KeyKind, KeyLogoutOnSuspend, KeyAutostart, KeyBreakMotives, KeyLock}, walkAwayKeys...) {
		if !slices.Contains(keys, key) {
			t.Errorf("no example of %s", key)
		}
	}
	p := ParsePresets(file, setting.ReplaceAll(data, []byte("$1 = ")))
	if len(p.Problems) > 0 {
		t.Errorf("uncommented, the example has problems: %v", p.Problems)
	}
	if p.Values.Server == "" || p.Values.Kind == "" || p.Values.LogoutOnSuspend == nil || p.Values.Autostart == nil ||
		len(p.BreakMotives) == 0 || p.Locked == (Locks{}) {
		t.Errorf("uncommented, the example sets %+v", p)
	}
}
