package logfile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
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

// crashChildEnv makes the test binary a child that sets its crash file in
// the cache folder the variable names, then panics with crashMark.
const (
	crashChildEnv = "UCT_LOGFILE_CRASH_CHILD"
	crashMark     = "crash-output-test-panic"
)

// A panic in a process that set its crash file is in that file, after
// what earlier runs left there.
func TestCrashOutput(t *testing.T) {
	if cache := os.Getenv(crashChildEnv); cache != "" {
		if _, err := CrashOutput(cache, TrayAppCrash); err != nil {
			t.Fatal(err)
		}
		panic(crashMark)
	}
	cache := t.TempDir()
	path := filepath.Join(Dir(cache), TrayAppCrash)
	for run := 1; run <= 2; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashOutput$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+cache)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Fatalf("child: %v, want exit code 2 (a panic):\n%s", err, out)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "panic: "+crashMark); n != run {
			t.Fatalf("after run %d, %d panics in the crash file:\n%s", run, n, b)
		}
		if !strings.Contains(string(b), "goroutine ") || !strings.Contains(string(b), "TestCrashOutput") {
			t.Errorf("no stack in the crash file:\n%s", b)
		}
	}
	if runtime.GOOS != "windows" {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, %v; want 0600", st.Mode().Perm(), err)
		}
	}
}

// A crash file past its bound is set aside at the next start, replacing
// the one set aside before, and a new one begun; a smaller one is kept.
func TestCrashOutputSetsALargeFileAside(t *testing.T) {
	cache := t.TempDir()
	dir := Dir(cache)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, WindowCrash)
	large := bytes.Repeat([]byte("x"), maxCrashBytes+1)
	for name, data := range map[string][]byte{path: large, path + ".old": []byte("older")} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Restored when the test ends: the runtime would write this test
	// binary's own crash there.
	t.Cleanup(func() { debug.SetCrashOutput(nil, debug.CrashOptions{}) })
	got, err := CrashOutput(cache, WindowCrash)
	if err != nil || got != path {
		t.Fatalf("CrashOutput: %q, %v; want %q", got, err, path)
	}
	if b, err := os.ReadFile(path + ".old"); err != nil || !bytes.Equal(b, large) {
		t.Errorf("set aside: %d bytes, %v; want the large file", len(b), err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 0 {
		t.Fatalf("new file: %v, %v; want empty", st, err)
	}
	if err := os.WriteFile(path, []byte("small"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CrashOutput(cache, WindowCrash); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "small" {
		t.Errorf("small file: %q, %v; want it kept", b, err)
	}
}

// Without a cache folder, or with a file that cannot be made, the error
// says so and the process goes on.
func TestCrashOutputError(t *testing.T) {
	if _, err := CrashOutput("", TrayAppCrash); err == nil {
		t.Error("no error without a cache folder")
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CrashOutput(notDir, TrayAppCrash); err == nil || !strings.Contains(err.Error(), "crash file") {
		t.Errorf("cache folder is a file: %v", err)
	}
}
