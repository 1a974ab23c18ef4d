package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ucontact-tray/internal/settings"
)

// runAdmin runs the command line as the installer does: no terminal, no
// user folders to speak of, the presets folder in system.
func runAdmin(t *testing.T, system, lang string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	vars := map[string]string{"LANG": lang, systemDirEnv: system}
	code := Run(context.Background(), args, Env{
		Stdin:      strings.NewReader(""),
		Stdout:     &out,
		Stderr:     &errOut,
		Getenv:     func(k string) string { return vars[k] },
		ConfigDir:  func() (string, error) { return t.TempDir(), nil },
		Version:    "1.2.3-test",
		Executable: "/opt/ucontact-tray/ucontact-tray",
	})
	return result{code, out.String(), errOut.String()}
}

// The installer passes every property, set or not.
func presetsArgs(server, kind, logoutOnSuspend, autostart, lock string) []string {
	return []string{"admin", "presets", "--server", server, "--kind", kind,
		"--logout-on-suspend", logoutOnSuspend, "--autostart", autostart, "--lock", lock}
}

func TestAdminPresetsWritesTheFile(t *testing.T) {
	system := filepath.Join(t.TempDir(), "ucontact-tray") // not made yet
	r := runAdmin(t, system, "", presetsArgs("acme", "agent", "", "yes", "server,kind")...)
	path := filepath.Join(system, "presets.conf")
	if r.code != ExitOK || r.stdout != "Configuración del administrador escrita en "+path+".\n" || r.stderr != "" {
		t.Fatalf("admin presets: %d %q %q", r.code, r.stdout, r.stderr)
	}
	p := settings.LoadPresets(system)
	if p.Values.Server != "acme" || p.Values.Kind != "agent" || p.Values.Autostart == nil || !*p.Values.Autostart ||
		p.Values.LogoutOnSuspend != nil || p.Locked != (settings.Locks{Server: true, Kind: true}) || len(p.Problems) > 0 {
		t.Errorf("the app reads %+v", p)
	}
	b, _ := os.ReadFile(path)
	if !settings.IsRendered(b) {
		t.Errorf("the file is not marked as the installer's:\n%s", b)
	}

	// Given again, it replaces the file.
	if r := runAdmin(t, system, "", presetsArgs("", "user", "", "", "")...); r.code != ExitOK {
		t.Fatalf("admin presets again: %d %q", r.code, r.stderr)
	}
	if p := settings.LoadPresets(system); p.Values.Server != "" || p.Values.Kind != "user" || p.Locked != (settings.Locks{}) {
		t.Errorf("after the second run the app reads %+v", p)
	}
}

// An upgrade pushed with no properties leaves the presets as they are,
// the administrator's own included.
func TestAdminPresetsWithNothingGivenChangesNothing(t *testing.T) {
	system := t.TempDir()
	theirs := "# Acme\nserver = acme\n"
	writeFile(t, filepath.Join(system, "presets.conf"), theirs)
	for _, args := range [][]string{presetsArgs("", "", "", "", ""), {"admin", "presets"}} {
		r := runAdmin(t, system, "", args...)
		if r.code != ExitOK || !strings.Contains(r.stdout, "la configuración del administrador no cambia") {
			t.Errorf("%v: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(system, "presets.conf")); string(b) != theirs {
		t.Errorf("the file changed:\n%s", b)
	}
}

// A value that is not valid fails the command, and so the install, with a
// message that says which and why; nothing is written.
func TestAdminPresetsRefusesBadValues(t *testing.T) {
	tests := []struct {
		name, lang string
		args       []string
		want       []string
	}{
		{"kind", "", presetsArgs("acme", "supervisor", "", "", ""),
			[]string{"«supervisor» no es un tipo de sesión válido para kind: escriba user o agent."}},
		{"kind, in English", "en_GB.UTF-8", presetsArgs("acme", "supervisor", "", "", ""),
			[]string{"“supervisor” is not a valid session type for kind: write user or agent."}},
		{"server and a yes or no", "", presetsArgs("http://acme.example.com", "", "maybe", "", ""), []string{
			"«http://acme.example.com» no es un servidor válido para server",
			"«maybe» no es un valor válido para logout_on_suspend: escriba yes o no.",
		}},
		{"lock", "", presetsArgs("acme", "", "", "", "server, user, kind"), []string{
			"lock nombra «user», que no se puede fijar",
			"lock nombra kind, pero no se le da un valor.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system := t.TempDir()
			theirs := "server = acme\n"
			writeFile(t, filepath.Join(system, "presets.conf"), theirs)
			r := runAdmin(t, system, tt.lang, tt.args...)
			if r.code != ExitUsage || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d", r.code, r.stdout, ExitUsage)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("stderr %q; want %d lines", r.stderr, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], filepath.Join(system, "presets.conf")) {
					t.Errorf("line %d: %q; want %q and the file", i, lines[i], want)
				}
			}
			if b, _ := os.ReadFile(filepath.Join(system, "presets.conf")); string(b) != theirs {
				t.Errorf("the file changed:\n%s", b)
			}
		})
	}
}

func TestAdminUninstall(t *testing.T) {
	t.Run("the installer's file", func(t *testing.T) {
		system := filepath.Join(t.TempDir(), "ucontact-tray")
		if r := runAdmin(t, system, "", presetsArgs("acme", "", "", "", "")...); r.code != ExitOK {
			t.Fatal(r.stderr)
		}
		r := runAdmin(t, system, "", "admin", "uninstall")
		if r.code != ExitOK || !strings.Contains(r.stdout, "Se ha borrado "+filepath.Join(system, "presets.conf")) {
			t.Errorf("admin uninstall: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if _, err := os.Stat(system); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the folder is still there: %v", err)
		}
	})
	t.Run("an administrator's file", func(t *testing.T) {
		system := t.TempDir()
		theirs := "server = acme\n"
		writeFile(t, filepath.Join(system, "presets.conf"), theirs)
		r := runAdmin(t, system, "", "admin", "uninstall")
		if r.code != ExitOK || !strings.Contains(r.stdout, "Se conserva") {
			t.Errorf("admin uninstall: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(system, "presets.conf")); string(b) != theirs {
			t.Errorf("the file changed:\n%s", b)
		}
	})
	t.Run("nothing there", func(t *testing.T) {
		if r := runAdmin(t, t.TempDir(), "", "admin", "uninstall"); r.code != ExitOK || r.stdout != "" || r.stderr != "" {
			t.Errorf("admin uninstall: %d %q %q", r.code, r.stdout, r.stderr)
		}
	})
}

// The admin commands are for the installer and the administrator: the
// users' help does not list them, theirs does.
func TestAdminUsage(t *testing.T) {
	if r := runAdmin(t, t.TempDir(), "", "help"); strings.Contains(r.stdout, "admin") {
		t.Errorf("the users' help mentions admin:\n%s", r.stdout)
	}
	for _, args := range [][]string{{"admin"}, {"admin", "reboot"}} {
		if r := runAdmin(t, t.TempDir(), "", args...); r.code != ExitUsage || !strings.Contains(r.stderr, "ucontact-tray admin presets [--server SERVIDOR]") {
			t.Errorf("%v: %d %q", args, r.code, r.stderr)
		}
	}
	if r := runAdmin(t, t.TempDir(), "", "admin", "uninstall", "now"); r.code != ExitUsage || !strings.Contains(r.stderr, "now") {
		t.Errorf("admin uninstall now: %d %q", r.code, r.stderr)
	}
	if r := runAdmin(t, t.TempDir(), "", "admin", "--help"); r.code != ExitOK || !strings.Contains(r.stdout, "ucontact-tray admin uninstall") {
		t.Errorf("admin --help: %d %q", r.code, r.stdout)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
