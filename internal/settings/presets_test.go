package settings

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const file = "/etc/ucontact-tray/presets.conf"

func TestParsePresets(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name     string
		text     string
		want     Settings
		locked   Locks
		motives  []string
		problems []Problem
	}{
		{
			name: "every key, locked",
			text: `# Acme's desks
server = acme
kind = agent
logout_on_suspend = no
autostart = yes
lock = server, kind, logout_on_suspend, autostart
`,
			want:   Settings{Server: "acme", Kind: "agent", LogoutOnSuspend: &no, Autostart: &yes},
			locked: Locks{Server: true, Kind: true, LogoutOnSuspend: true, Autostart: true},
		},
		{
			name: "as Notepad writes it",
			text: "\uFEFF; on-premise\r\nSERVER = \"https://uc.example.com\"\r\n\r\nLock=server\r\n",
			want: Settings{Server: "https://uc.example.com"}, locked: Locks{Server: true},
		},
		{
			name: "preset without lock",
			text: "kind=Agent\nautostart = Off",
			want: Settings{Kind: "agent", Autostart: &no},
		},
		{
			name: "lock lines add up, in any separator",
			text: "server = acme\nkind = user\nlock = server\nlock = kind autostart\nautostart = sí",
			want: Settings{Server: "acme", Kind: "user", Autostart: &yes}, locked: Locks{Server: true, Kind: true, Autostart: true},
		},
		{
			name:     "a line without =",
			text:     "server acme\nkind = agent",
			want:     Settings{Kind: "agent"},
			problems: []Problem{{File: file, Line: 1, Code: ProblemSyntax, Value: "server acme"}},
		},
		{
			name: "unknown keys; the rest is used",
			text: "server = acme\npassword = hunter2\ndomain = acme",
			want: Settings{Server: "acme"},
			problems: []Problem{
				{File: file, Line: 2, Code: ProblemUnknownKey, Key: "password"},
				{File: file, Line: 3, Code: ProblemUnknownKey, Key: "domain"},
			},
		},
		{
			name: "bad values",
			text: "server = http://uc.example.com\nkind = supervisor\nautostart = maybe\nlogout_on_suspend =\nserver = acme # ours",
			problems: []Problem{
				{File: file, Line: 1, Code: ProblemBadValue, Key: "server", Value: "http://uc.example.com"},
				{File: file, Line: 2, Code: ProblemBadValue, Key: "kind", Value: "supervisor"},
				{File: file, Line: 3, Code: ProblemBadValue, Key: "autostart", Value: "maybe"},
				{File: file, Line: 4, Code: ProblemBadValue, Key: "logout_on_suspend"},
				{File: file, Line: 5, Code: ProblemBadValue, Key: "server", Value: "acme # ours"},
			},
		},
		{
			name:     "set twice: the last counts",
			text:     "server = acme\nserver = beta",
			want:     Settings{Server: "beta"},
			problems: []Problem{{File: file, Line: 2, Code: ProblemDuplicate, Key: "server"}},
		},
		{
			name:   "lock of what cannot be locked",
			text:   "server = acme\nlock = server, user",
			want:   Settings{Server: "acme"},
			locked: Locks{Server: true},
			problems: []Problem{
				{File: file, Line: 2, Code: ProblemLockUnknown, Key: "user"},
			},
		},
		{
			name: "problems in the order of the lines",
			text: "lock = kind\nwhat\n",
			problems: []Problem{
				{File: file, Line: 1, Code: ProblemLockUnset, Key: "kind"},
				{File: file, Line: 2, Code: ProblemSyntax, Value: "what"},
			},
		},
		{
			name: "lock of what the file does not set",
			text: "lock = server, kind\nkind = agent",
			want: Settings{Kind: "agent"}, locked: Locks{Kind: true},
			problems: []Problem{{File: file, Line: 1, Code: ProblemLockUnset, Key: "server"}},
		},
		{
			name: "a locked key whose value is bad is not locked",
			text: "server = not a server\nlock = server",
			problems: []Problem{
				{File: file, Line: 1, Code: ProblemBadValue, Key: "server", Value: "not a server"},
				{File: file, Line: 2, Code: ProblemLockUnset, Key: "server"},
			},
		},
		{
			name:    "break motives: trimmed, empty ones and repeats dropped, spaces kept inside",
			text:    "kind = agent\nBreak_Motives = Almuerzo, Baño ,Capacitación,, Almuerzo,Pausa activa,\n",
			want:    Settings{Kind: "agent"},
			motives: []string{"Almuerzo", "Baño", "Capacitación", "Pausa activa"},
		},
		{
			name:    "break motives in quotes",
			text:    `break_motives = "Almuerzo, Baño"`,
			motives: []string{"Almuerzo", "Baño"},
		},
		{
			name:    "break motives without a name: the earlier line stays",
			text:    "break_motives = Almuerzo\nbreak_motives = , ,\nbreak_motives =",
			motives: []string{"Almuerzo"},
			problems: []Problem{
				{File: file, Line: 2, Code: ProblemBadValue, Key: "break_motives"},
				{File: file, Line: 3, Code: ProblemBadValue, Key: "break_motives"},
			},
		},
		{
			name:     "break motives set twice: the last counts",
			text:     "break_motives = Almuerzo, Baño\nbreak_motives = Capacitación",
			motives:  []string{"Capacitación"},
			problems: []Problem{{File: file, Line: 2, Code: ProblemDuplicate, Key: "break_motives"}},
		},
		{
			name:     "break motives cannot be locked: the user cannot set them",
			text:     "break_motives = Almuerzo\nlock = break_motives",
			motives:  []string{"Almuerzo"},
			problems: []Problem{{File: file, Line: 2, Code: ProblemLockUnknown, Key: "break_motives"}},
		},
		{
			name:     "UTF-16",
			text:     "\xff\xfes\x00e\x00r\x00",
			problems: []Problem{{File: file, Code: ProblemEncoding}},
		},
		{
			name: "the walk-away keys, locked",
			text: "lock_break = Baño\nlogout_when_locked_after = 15m\nlogout_when_idle_after = 1h30m\nlogout_at = 22:00\n" +
				"lock = lock_break, logout_when_locked_after\nlock = logout_when_idle_after logout_at\n",
			want:   Settings{LockBreak: "Baño", LogoutWhenLockedAfter: "15m", LogoutWhenIdleAfter: "1h30m", LogoutAt: "22:00"},
			locked: Locks{LockBreak: true, LogoutWhenLockedAfter: true, LogoutWhenIdleAfter: true, LogoutAt: true},
		},
		{
			name: "never, in so many words",
			text: "logout_when_locked_after = 0\nlogout_when_idle_after = \"0\"\nlock = logout_when_idle_after",
			want: Settings{LogoutWhenLockedAfter: "0", LogoutWhenIdleAfter: "0"}, locked: Locks{LogoutWhenIdleAfter: true},
		},
		{
			name: "bad walk-away values are ignored, and not locked",
			text: "lock_break =\nlogout_when_locked_after = 15 minutes\nlogout_when_idle_after = 30s\n" +
				"logout_at = 25:00\nlogout_when_locked_after = -1h\nlock = logout_at, lock_break",
			problems: []Problem{
				{File: file, Line: 1, Code: ProblemBadValue, Key: "lock_break"},
				{File: file, Line: 2, Code: ProblemBadValue, Key: "logout_when_locked_after", Value: "15 minutes"},
				{File: file, Line: 3, Code: ProblemBadValue, Key: "logout_when_idle_after", Value: "30s"},
				{File: file, Line: 4, Code: ProblemBadValue, Key: "logout_at", Value: "25:00"},
				{File: file, Line: 5, Code: ProblemBadValue, Key: "logout_when_locked_after", Value: "-1h"},
				{File: file, Line: 6, Code: ProblemLockUnset, Key: "lock_break"},
				{File: file, Line: 6, Code: ProblemLockUnset, Key: "logout_at"},
			},
		},
		{
			name: "empty",
			text: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ParsePresets(file, []byte(tt.text))
			if !reflect.DeepEqual(p.Values, tt.want) {
				t.Errorf("values %s, want %s", show(p.Values), show(tt.want))
			}
			if p.Locked != tt.locked {
				t.Errorf("locked %+v, want %+v", p.Locked, tt.locked)
			}
			if !slices.Equal(p.BreakMotives, tt.motives) {
				t.Errorf("break motives %q, want %q", p.BreakMotives, tt.motives)
			}
			if !reflect.DeepEqual(p.Problems, tt.problems) {
				t.Errorf("problems:\n%s\nwant:\n%s", problems(p.Problems), problems(tt.problems))
			}
			for _, pr := range p.Problems {
				if msg := pr.Error(); !strings.HasPrefix(msg, file) || (pr.Line > 0 && !strings.Contains(msg, " line ")) {
					t.Errorf("Error() = %q: names no file and line", msg)
				}
			}
		})
	}
}

func TestProblemNeverQuotesAnUnknownValue(t *testing.T) {
	p := ParsePresets(file, []byte("password = hunter2\n"))
	for _, pr := range p.Problems {
		if strings.Contains(pr.Error(), "hunter2") || pr.Value != "" {
			t.Errorf("problem %+v repeats the value of an unknown key", pr)
		}
	}
}

func TestLoadPresets(t *testing.T) {
	t.Run("no file", func(t *testing.T) {
		if p := LoadPresets(t.TempDir()); !reflect.DeepEqual(p, Presets{}) {
			t.Errorf("LoadPresets = %+v, want nothing", p)
		}
	})
	t.Run("a file", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "server = acme\nlock = server\nwhat\n")
		p := LoadPresets(dir)
		path := filepath.Join(dir, PresetsFile)
		want := []Problem{{File: path, Line: 3, Code: ProblemSyntax, Value: "what"}}
		if p.Values.Server != "acme" || !p.Locked.Server || !reflect.DeepEqual(p.Problems, want) {
			t.Errorf("LoadPresets = %+v", p)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, PresetsFile), 0o755); err != nil {
			t.Fatal(err)
		}
		p := LoadPresets(dir)
		if len(p.Problems) != 1 || p.Problems[0].Code != ProblemUnreadable || p.Problems[0].Value == "" {
			t.Fatalf("problems %+v", p.Problems)
		}
		if strings.Contains(p.Problems[0].Value, dir) {
			t.Errorf("the reason %q repeats the path", p.Problems[0].Value)
		}
	})
	t.Run("too large", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "server = acme\n"+strings.Repeat("#", maxPresets))
		p := LoadPresets(dir)
		if p.Values.Server != "" || len(p.Problems) != 1 || p.Problems[0].Code != ProblemTooLarge {
			t.Errorf("LoadPresets = %+v", p)
		}
	})
}

func TestSystemDir(t *testing.T) {
	env := map[string]string{"ProgramData": `D:\Data`}
	got := SystemDir(func(k string) string { return env[k] })
	want := map[string]string{
		"linux":   "/etc/ucontact-tray",
		"windows": `D:\Data\ucontact-tray`,
		"darwin":  "/Library/Application Support/ucontact-tray",
	}[runtime.GOOS]
	if want != "" && got != want {
		t.Errorf("SystemDir = %q, want %q", got, want)
	}
}

func write(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, PresetsFile), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func show(s Settings) string {
	b := func(p *bool) string {
		if p == nil {
			return "unset"
		}
		if *p {
			return "yes"
		}
		return "no"
	}
	return "{server " + s.Server + ", kind " + string(s.Kind) + ", logout_on_suspend " + b(s.LogoutOnSuspend) + ", autostart " + b(s.Autostart) +
		", lock_break " + s.LockBreak + ", logout_when_locked_after " + s.LogoutWhenLockedAfter +
		", logout_when_idle_after " + s.LogoutWhenIdleAfter + ", logout_at " + s.LogoutAt + "}"
}

func problems(ps []Problem) string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, "  "+p.Error())
	}
	return strings.Join(lines, "\n")
}

// FuzzParsePresets: whatever an administrator writes, the app starts: no
// panic, every problem names a line of the file, a lock always has a
// value to fix, and each break motive is a trimmed name, listed once.
func FuzzParsePresets(f *testing.F) {
	f.Add("server = acme\nkind = agent\nlock = server, kind\n")
	f.Add("\uFEFFautostart=\"no\"\r\nlock=autostart\r\n")
	f.Add("lock = server\n=\n= x\nserver\n\"\n")
	f.Add("break_motives = Almuerzo, Baño ,, Almuerzo,Pausa activa\nbreak_motives = \" , \"\nlock = break_motives\n")
	f.Add("lock_break = Almuerzo\nlogout_when_locked_after = 90s\nlogout_when_idle_after = 1m\nlogout_at = 7:05:09\n" +
		"lock = lock_break, logout_when_locked_after, logout_when_idle_after, logout_at\n")
	f.Add("logout_at = 24:00\nlogout_when_idle_after = 59s\nlogout_when_locked_after = 1e9h\nlock = logout_at\n")
	f.Fuzz(func(t *testing.T, text string) {
		p := ParsePresets(file, []byte(text))
		lines := strings.Count(text, "\n") + 1
		for _, pr := range p.Problems {
			if pr.File != file || pr.Line < 0 || pr.Line > lines || pr.Code == "" {
				t.Errorf("problem %+v", pr)
			}
		}
		v, l := p.Values, p.Locked
		if l.Server && v.Server == "" || l.Kind && v.Kind == "" ||
			l.LogoutOnSuspend && v.LogoutOnSuspend == nil || l.Autostart && v.Autostart == nil ||
			l.LockBreak && v.LockBreak == "" || l.LogoutWhenLockedAfter && v.LogoutWhenLockedAfter == "" ||
			l.LogoutWhenIdleAfter && v.LogoutWhenIdleAfter == "" || l.LogoutAt && v.LogoutAt == "" {
			t.Errorf("locked %+v without a value: %s", l, show(v))
		}
		for i, m := range p.BreakMotives {
			if m == "" || m != strings.TrimSpace(m) || strings.Contains(m, ",") || slices.Contains(p.BreakMotives[:i], m) {
				t.Errorf("break motives %q: %q is not a trimmed name listed once", p.BreakMotives, m)
			}
		}
		// What the presets let through, the policy reads without a
		// problem.
		if w, err := v.WalkAway(); err != nil || (w.IdleLogout != 0 && w.IdleLogout < MinIdleLogout) {
			t.Errorf("the presets' walk-away policy %+v: %v", w, err)
		}
	})
}
