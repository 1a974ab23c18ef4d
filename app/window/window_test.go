package window

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"ucontact-tray/internal/i18n"
)

// startChildEnv makes the test binary a child that makes the window's Fyne
// app, as Run does before showing it, and prints what Fyne made of the
// locale.
const startChildEnv = "UCT_WINDOW_START_CHILD"

// The window starts quietly on a desk whose locale is C.UTF-8 and where an
// earlier version left an empty Fyne preferences file: with the
// environment the resident gives it, Fyne parses the locale (in the app's
// language) and reads no preferences, so it logs nothing on the terminal.
func TestStartsQuietly(t *testing.T) {
	if os.Getenv(startChildEnv) != "" {
		newApp()
		fmt.Printf("locale=%s yes=%s\n", lang.SystemLocale(), lang.L("Yes"))
		return
	}
	config := t.TempDir()
	old := filepath.Join(config, "fyne", "io.github.ucontacttray")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "preferences.json"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return strings.HasPrefix(name, "LC_") || name == "LANG" || name == "LANGUAGE" || name == "XDG_CONFIG_HOME"
	})
	env = append(env, "LANG=C.UTF-8", "XDG_CONFIG_HOME="+config, startChildEnv+"=1")

	cmd := exec.Command(os.Args[0], "-test.run=^TestStartsQuietly$", "-test.count=1")
	cmd.Env = i18n.FyneEnv(env)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("the window's start printed on stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "locale=es yes=Si\n") {
		t.Errorf("Fyne's locale and words are not the app's (Spanish):\n%s", stdout.String())
	}
	entries, err := os.ReadDir(filepath.Join(config, "fyne"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "io.github.ucontacttray" {
			t.Errorf("the window made %s in Fyne's configuration folder", e.Name())
		}
	}
}
