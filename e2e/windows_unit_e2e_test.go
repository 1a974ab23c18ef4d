//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

// The unit tests whose Windows code differs, cross-compiled and run under
// Wine: the control pipe's first client, and a client's check of whom the
// pipe's server runs as; files locked by a login under way; the tray icon
// in a new taskbar; a command's redirected handles; the user's idle time
// (GetLastInputInfo is Wine's own, reset by SendInput); the screen's lock
// and unlock heard by the hidden end-session window.
func TestWindowsUnitTests(t *testing.T) {
	w := newWine(t)
	for _, pkg := range []struct{ dir, run string }{
		{"app/control", "^(TestFirstClientIsAnswered|TestClientRefusesAPipeOfAnotherUser)$"},
		{"internal/filelock", "."},
		{"internal/startup", "."},
		{"internal/idle", "."},
		{"app/tray", "^(TestTheIconComesBackWithANewTaskbar|TestPopupHasTheBreaksSubmenu)$"},
		{"session", "Journal|InterruptedLogin|LeftoverTemporary"},
		{"session/shutdown", "^TestSessionChangeMessagesLockAndUnlock$"},
	} {
		t.Run(pkg.dir, func(t *testing.T) {
			exe := filepath.Join(w.dir, strings.ReplaceAll(pkg.dir, "/", "-")+".test.exe")
			build := exec.Command("go", "test", "-c", "-o", exe, "./"+pkg.dir)
			build.Dir = ".."
			build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
			testenv.Output(t, 10*time.Minute, build)
			r := runToEnd(t, w.command("wine", windowsPath(exe), "-test.v", "-test.run", pkg.run, "-test.timeout", "60s"), "")
			if r.code != 0 || !strings.Contains(r.stdout, "--- PASS") || strings.Contains(r.stdout, "--- SKIP") {
				t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
