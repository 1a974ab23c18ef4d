package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"ucontact-tray/internal/logfile"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func cacheIn(dir string) func() (string, error) {
	return func() (string, error) { return dir, nil }
}

func TestWithoutADisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the check is for Linux desktops")
	}
	var stderr strings.Builder
	code := run(nil, env(map[string]string{"LANG": "es_ES.UTF-8", "XDG_RUNTIME_DIR": t.TempDir()}), cacheIn(t.TempDir()), &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "No hay pantalla") {
		t.Fatalf("exit %d, %q", code, stderr.String())
	}
}

func TestRunByHand(t *testing.T) {
	var stderr strings.Builder
	code := run([]string{"login"}, env(map[string]string{"LANG": "en_US.UTF-8"}), cacheIn(t.TempDir()), &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "ucontact-tray") {
		t.Fatalf("exit %d, %q", code, stderr.String())
	}
}

// crashChildEnv makes the test binary a child that runs the window program
// by hand (it refuses at once) with the cache folder the variable names,
// then panics.
const crashChildEnv = "UCT_WINDOW_CRASH_CHILD"

// A crash of the window program after it started is in its crash file in
// the log folder.
func TestCrashGoesToTheLogFolder(t *testing.T) {
	if cache := os.Getenv(crashChildEnv); cache != "" {
		run([]string{"by-hand"}, env(nil), cacheIn(cache), io.Discard)
		panic("window-crash-test")
	}
	cache := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashGoesToTheLogFolder$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+cache)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("child: %v, want exit code 2 (a panic):\n%s", err, out)
	}
	path := filepath.Join(logfile.Dir(cache), logfile.WindowCrash)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "panic: window-crash-test") || !strings.Contains(string(b), "goroutine ") {
		t.Fatalf("crash file %s:\n%s", path, b)
	}
}
