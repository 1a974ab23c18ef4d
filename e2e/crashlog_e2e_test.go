//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"ucontact-tray/internal/logfile"
	"ucontact-tray/internal/testenv"
)

// A crash of either program, which an app started with the session would
// print to no terminal, is kept in the log folder. SIGQUIT makes the Go
// runtime crash the process with a dump of every goroutine, as a real
// crash would, with nothing added to the programs for the test.
func TestCrashIsKeptInTheLogFolder(t *testing.T) {
	// With a tray, the tray app outlives its window.
	d := newDesk(t, deskOptions{display: true, tray: true})
	d.wantLog = []string{`msg="tray app started"`, `msg="window started"`}
	res := d.start()
	res.WaitLog(`msg="tray app started"`, startTimeout)
	pid, err := strconv.Atoi(res.WaitLog(`msg="window started" pid=(\d+)`, startTimeout)[1])
	if err != nil {
		t.Fatal(err)
	}
	// Drawn: its main set its crash file long before.
	d.waitWindow()

	if err := syscall.Kill(pid, syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	d.waitCrash(logfile.WindowCrash, "ucontact-tray/app/window")

	if !res.Running() {
		t.Fatalf("the tray app ended with its window:\n%s", res.Output())
	}
	if err := res.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	if code := res.Exited(stepTimeout); code != 2 {
		t.Fatalf("tray app exited %d on SIGQUIT, want 2 (the runtime's crash)", code)
	}
	d.waitCrash(logfile.TrayAppCrash, "ucontact-tray/app/resident")
}

var goroutineOne = regexp.MustCompile(`(?m)^goroutine 1 .*\[`)

// waitCrash waits for the crash file name in the log folder to hold a
// SIGQUIT's dump of the goroutines, one of them in package pkg.
func (d *desk) waitCrash(name, pkg string) {
	d.t.Helper()
	path := filepath.Join(d.logDir, name)
	var b []byte
	testenv.WaitFor(d.t, stepTimeout, "the dump in "+name, func() bool {
		b, _ = os.ReadFile(path)
		// A SIGQUIT's dump has the runtime's details: "goroutine 1 gp=… m=… [".
		return goroutineOne.Match(b)
	})
	if !strings.HasPrefix(string(b), "SIGQUIT: quit") || !strings.Contains(string(b), pkg+".") {
		d.t.Errorf("%s: not the dump of a SIGQUIT, in %s:\n%s", name, pkg, b)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		d.t.Errorf("%s: %v, %v; want mode 0600", name, st, err)
	}
}
