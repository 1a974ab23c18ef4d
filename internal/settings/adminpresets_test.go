package settings

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRenderPresets(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name   string
		req    PresetsRequest
		lines  []string
		want   Settings
		locked Locks
	}{
		{
			name:   "every value, locked",
			req:    PresetsRequest{Server: "acme", Kind: "agent", LogoutOnSuspend: "no", Autostart: "1", Lock: "server,kind, logout_on_suspend autostart"},
			lines:  []string{"server = acme", "kind = agent", "logout_on_suspend = no", "autostart = yes", "lock = server, kind, logout_on_suspend, autostart"},
			want:   Settings{Server: "acme", Kind: "agent", LogoutOnSuspend: &no, Autostart: &yes},
			locked: Locks{Server: true, Kind: true, LogoutOnSuspend: true, Autostart: true},
		},
		{
			name:  "only what is given, written plainly",
			req:   PresetsRequest{Server: "  http://127.0.0.1:8080 ", Kind: "Agent", Autostart: "Off"},
			lines: []string{"server = http://127.0.0.1:8080", "kind = agent", "autostart = no"},
			want:  Settings{Server: "http://127.0.0.1:8080", Kind: "agent", Autostart: &no},
		},
		{
			name:   "a key locked twice is written once",
			req:    PresetsRequest{Server: "https://uc.example.com", Lock: "SERVER server"},
			lines:  []string{"server = https://uc.example.com", "lock = server"},
			want:   Settings{Server: "https://uc.example.com"},
			locked: Locks{Server: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, problems := RenderPresets(tt.req)
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			if !IsRendered(data) {
				t.Errorf("the file lacks the mark:\n%s", data)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
				if !strings.HasPrefix(line, "#") {
					got = append(got, line)
				}
			}
			if !reflect.DeepEqual(got, tt.lines) {
				t.Errorf("lines\n%q\nwant\n%q", got, tt.lines)
			}
			// The app reads back exactly what was asked for.
			p := ParsePresets(file, data)
			if len(p.Problems) > 0 || show(p.Values) != show(tt.want) || p.Locked != tt.locked {
				t.Errorf("read back %s %+v %v; want %s %+v", show(p.Values), p.Locked, p.Problems, show(tt.want), tt.locked)
			}
		})
	}
}

func TestRenderPresetsRefusesWhatIsNotValid(t *testing.T) {
	tests := []struct {
		name string
		req  PresetsRequest
		want []Problem
	}{
		{"a kind", PresetsRequest{Kind: "supervisor"}, []Problem{{Code: ProblemBadValue, Key: KeyKind, Value: "supervisor"}}},
		{"a server", PresetsRequest{Server: "http://acme.example.com"}, []Problem{{Code: ProblemBadValue, Key: KeyServer, Value: "http://acme.example.com"}}},
		{"a yes or no", PresetsRequest{Autostart: "maybe", LogoutOnSuspend: "2"}, []Problem{
			{Code: ProblemBadValue, Key: KeyLogoutOnSuspend, Value: "2"},
			{Code: ProblemBadValue, Key: KeyAutostart, Value: "maybe"},
		}},
		// A line break would smuggle in a line of its own.
		{"a line break", PresetsRequest{Server: "acme\nlock = server", Kind: "user\r"}, []Problem{
			{Code: ProblemBadValue, Key: KeyServer, Value: "acme\nlock = server"},
		}},
		{"a lock of what cannot be locked", PresetsRequest{Server: "acme", Lock: "server, user"}, []Problem{{Code: ProblemLockUnknown, Key: "user"}}},
		{"a lock of what is not given", PresetsRequest{Server: "acme", Lock: "server, kind"}, []Problem{{Code: ProblemLockUnset, Key: KeyKind}}},
		// The bad value is the problem, not the lock that names it.
		{"a lock of a bad value", PresetsRequest{Kind: "boss", Lock: "kind"}, []Problem{{Code: ProblemBadValue, Key: KeyKind, Value: "boss"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, problems := RenderPresets(tt.req)
			if data != nil || !reflect.DeepEqual(problems, tt.want) {
				t.Errorf("RenderPresets = %q, %+v; want nothing and %+v", data, problems, tt.want)
			}
		})
	}
}

func TestPresetsRequestIsZero(t *testing.T) {
	if !(PresetsRequest{}).IsZero() || (PresetsRequest{Lock: "server"}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestSaveAndRemoveRenderedPresets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ucontact-tray")
	data, problems := RenderPresets(PresetsRequest{Server: "acme"})
	if problems != nil {
		t.Fatal(problems)
	}
	for range 2 { // replaces what is there
		if err := SavePresets(dir, data); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("the folder: %v, %v; want 0755: every user's app reads it", fi, err)
	}
	if p := LoadPresets(dir); p.Values.Server != "acme" || len(p.Problems) > 0 {
		t.Errorf("LoadPresets = %+v", p)
	}
	removed, err := RemoveRenderedPresets(dir)
	if !removed || err != nil {
		t.Fatalf("RemoveRenderedPresets = %v, %v", removed, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the empty folder is still there: %v", err)
	}
	if removed, err := RemoveRenderedPresets(dir); removed || err != nil {
		t.Errorf("RemoveRenderedPresets with nothing there = %v, %v", removed, err)
	}
}

// A presets file an administrator wrote, or took over by deleting the
// mark, is never removed; nor is the folder, which is not empty then.
func TestRemoveRenderedPresetsLeavesAnAdministratorsFile(t *testing.T) {
	data, _ := RenderPresets(PresetsRequest{Kind: "agent"})
	claimed := strings.SplitN(string(data), "\n", 2)[1]
	for name, text := range map[string]string{
		"by hand":             "server = acme\n",
		"claimed":             claimed,
		"marked further down": "server = acme\n" + string(data),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, text)
			if removed, err := RemoveRenderedPresets(dir); removed || err != nil {
				t.Errorf("RemoveRenderedPresets = %v, %v", removed, err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, PresetsFile)); err != nil || string(b) != text {
				t.Errorf("the file is now %q, %v", b, err)
			}
		})
	}
}

func TestIsRenderedWithNotepadsMark(t *testing.T) {
	data, _ := RenderPresets(PresetsRequest{Kind: "agent"})
	if !IsRendered(append([]byte("\uFEFF"), data...)) {
		t.Error("a file saved again by Notepad, with its UTF-8 mark, is not recognised")
	}
}
