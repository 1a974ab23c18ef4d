package main

import (
	"runtime"
	"strings"
	"testing"
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
