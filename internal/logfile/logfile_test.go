package logfile

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The file is the user's only, and a second process's run appends to it.
func TestOpenAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "ucontact-tray")
	for _, line := range []string{"first run\n", "second run\n"} {
		w, err := Open(dir, TrayApp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, TrayApp)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "first run\nsecond run\n" {
		t.Errorf("log %q", b)
	}
	if runtime.GOOS == "windows" {
		return // no Unix permissions to check
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, st.Mode().Perm(), err, want)
		}
	}
}

// Past its size, the file is set aside and compressed, and a new one begun.
func TestRotation(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Commands)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	line := append(bytes.Repeat([]byte("x"), 1023), '\n')
	for range maxSizeMB<<10 + 1 {
		if _, err := w.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		for _, n := range names {
			if strings.HasPrefix(n, "ucontact-tray-cli-") && strings.HasSuffix(n, ".log.gz") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no compressed old file after rotation: %v", names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The logger writes lines with their time to the file and to stderr; with
// no cache folder, to stderr alone.
func TestLogger(t *testing.T) {
	cache := t.TempDir()
	var stderr bytes.Buffer
	log, path, closeFile := Logger(cache, Window, &stderr)
	log.Info("window closed", "pid", 42)
	closeFile()
	if want := filepath.Join(cache, "ucontact-tray", Window); path != want {
		t.Errorf("path %q, want %q", path, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"file": string(b), "stderr": stderr.String()} {
		if !regexp.MustCompile(`^time=\S+ level=INFO msg="window closed" pid=42\n$`).MatchString(got) {
			t.Errorf("%s: %q", name, got)
		}
	}

	stderr.Reset()
	log, path, closeFile = Logger("", Window, &stderr)
	log.Info("no file")
	closeFile()
	if path != "" || !strings.Contains(stderr.String(), "no file") {
		t.Errorf("without a cache folder: path %q, stderr %q", path, stderr.String())
	}
}
