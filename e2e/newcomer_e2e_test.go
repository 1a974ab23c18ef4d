//go:build e2e

package e2e

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

// buildRunTimeout bounds `make run` up to its window: it builds both
// programs first, which is quick with the warm build cache the test hands
// it, and minutes without (the window's cgo build).
const buildRunTimeout = 15 * time.Minute

// A newcomer's first hour, as the README tells it: a clone of the
// repository, `make run` in it (the Debian packages, the build, the demo),
// a login in the window with the demo's account, Finalizar Sesión from the
// tray, and `make run` stopped with nothing left running.
//
// The clone is of the repository's committed HEAD (git clone of the
// working copy this test runs in, no network): what is not committed is
// not tested here. The Go caches are the test's own, so that the build
// needs no network either.
func TestNewcomerMakeRun(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	d.wantLog = []string{
		`level=INFO msg="uContact request" method=POST host=127.0.0.1:47800 path=/Integra/\S+ duration=\S+ status=200`,
		`level=INFO msg="session state" state=logged-in was=logging-in user=demo`,
	}
	clone := cloneHead(t)

	// Every process of `make run` carries this mark, to be looked for
	// once it is stopped.
	mark := fmt.Sprintf("UCT_NEWCOMER=%d-%d", os.Getpid(), time.Now().UnixNano())
	mk := exec.Command("make", "run")
	mk.Dir = clone
	mk.Env = append(d.env(), append(goEnv(t), mark)...)
	run := testenv.StartProcess(t, mk) // a process group of its own

	// The demo's window opens by itself, the demo's account filled in.
	run.WaitLog(`msg="login form ready"`, buildRunTimeout)
	d.waitWindowNamed("uContact — Iniciar sesión")
	d.waitWindow()
	d.screenshot("1-demo-window")
	item, _ := d.trayOf("Sin sesión")

	// The focus is in the password field: the server and user are the
	// demo's. Whatever it holds is replaced by the demo's password.
	d.key("ctrl+a")
	d.typeText("demo1234")
	x, y := d.primaryButton()
	testenv.XDoTool(t, d.Display, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	p := waitTitle(t, item, "Conectado: demo @ 127.0.0.1:47800 · ")
	if !regexp.MustCompile(`· desde las? \d\d:\d\d$`).MatchString(p.Title) {
		t.Errorf("tray title %q: want the start time after it", p.Title)
	}
	// The window closed after the login (there is a tray); Abrir… shows
	// the session.
	run.WaitLog(`msg="window closed"`, stepTimeout)
	if err := item.Click("Abrir…"); err != nil {
		t.Fatal(err)
	}
	d.waitWindowNamed("uContact — Sesión")
	d.waitWindow()
	d.screenshot("2-logged-in")

	if err := item.Click("Finalizar Sesión"); err != nil {
		t.Fatal(err)
	}
	waitTitle(t, item, "Sin sesión")
	// The demo server ended the session once: the tray app's log has the
	// one call, answered, and `status` says there is no session.
	logPath := filepath.Join(d.logDir, "ucontact-tray.log")
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ends := regexp.MustCompile(`msg="uContact request" method=POST host=127.0.0.1:47800 path=/Integra/resources/auth/EndSession duration=\S+ status=200`)
	if n := len(ends.FindAll(log, -1)); n != 1 {
		t.Errorf("%d session ends in the log, want 1:\n%s", n, log)
	}
	status := exec.Command(filepath.Join(clone, "bin", "ucontact-tray"), "status")
	status.Env = d.env()
	if r := runToEnd(t, status, ""); r.code != 0 || !strings.HasPrefix(r.stdout, "Sin sesión") {
		t.Errorf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Stopped as a terminal's Ctrl+C would: the whole process group.
	if err := syscall.Kill(-run.PID(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Done():
	case <-time.After(stepTimeout):
		t.Fatalf("make run still running %v after Ctrl+C:\n%s", stepTimeout, run.Output())
	}
	if left := testenv.Marked(mark); len(left) != 0 {
		t.Errorf("make run left running: %v", left)
	}
	if strings.Contains(run.Output(), "level=ERROR") {
		t.Errorf("an error on the terminal:\n%s", run.Output())
	}
}

// The packages' check of `make run` as a user who has them all: quick,
// silent, and no sudo asked for.
func TestInstallDepsAsAUser(t *testing.T) {
	script, err := filepath.Abs(filepath.Join("..", "scripts", "install-deps.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/nonexistent", testenv.RunMark()}
	cmd.Dir = os.TempDir()
	if os.Getuid() == 0 {
		// As in CI: the same check as an ordinary user, nobody.
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	if r := testenv.Run(t, 0, cmd, ""); r.Code != 0 || r.Stdout+r.Stderr != "" {
		t.Errorf("install-deps.sh as uid %d: exit %d\n%s%s", 65534, r.Code, r.Stdout, r.Stderr)
	}
}

// cloneHead clones the repository the test runs in, at its HEAD, into a
// temporary folder, and returns the clone's top.
func cloneHead(t *testing.T) string {
	t.Helper()
	top := strings.TrimSpace(testenv.Run(t, 0, exec.Command("git", "-C", "..", "rev-parse", "--show-toplevel"), "").Stdout)
	if top == "" {
		t.Fatal("not in a git repository")
	}
	clone := filepath.Join(t.TempDir(), "ucontact-tray")
	if r := testenv.Run(t, 0, exec.Command("git", "clone", "--quiet", "--no-hardlinks", top, clone), ""); r.Code != 0 {
		t.Fatalf("git clone: %s", r.Stderr)
	}
	head := testenv.Run(t, 0, exec.Command("git", "-C", clone, "log", "-1", "--format=%h %s"), "").Stdout
	t.Logf("cloned %s at %s", top, head)
	return clone
}

// goEnv is the Go environment of the build in the clone: this test's own
// caches (warm), its flags and toolchain, and no network.
func goEnv(t *testing.T) []string {
	t.Helper()
	out := testenv.Run(t, 0, exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS"), "").Stdout
	v := strings.Split(out, "\n")
	if len(v) < 4 {
		t.Fatalf("go env: %q", out)
	}
	return []string{"GOCACHE=" + v[0], "GOMODCACHE=" + v[1], "GOPATH=" + v[2], "GOFLAGS=" + v[3],
		"GOPROXY=off", "GOTOOLCHAIN=local"}
}

// primaryButton finds the window's primary button ("Iniciar sesión"): the
// band of rows, taller than a line of text, that are mostly the theme's
// primary blue. It returns the band's middle.
func (d *desk) primaryButton() (x, y int) {
	d.t.Helper()
	img := testenv.Screenshot(d.t, d.Display, filepath.Join(d.t.TempDir(), "button.png"))
	b := img.Bounds()
	isPrimary := func(c color.Color) bool {
		r, g, bl, _ := c.RGBA()
		r, g, bl = r>>8, g>>8, bl>>8
		return bl > 200 && r < 90 && g > 80 && g < 150
	}
	var band image.Rectangle
	start := -1
	var minX, maxX int
	for row := b.Min.Y; row <= b.Max.Y; row++ {
		n, lo, hi := 0, b.Max.X, b.Min.X
		if row < b.Max.Y {
			for col := b.Min.X; col < b.Max.X; col++ {
				if isPrimary(img.At(col, row)) {
					n++
					lo, hi = min(lo, col), max(hi, col)
				}
			}
		}
		if n >= 150 {
			if start < 0 {
				start, minX, maxX = row, lo, hi
			}
			minX, maxX = min(minX, lo), max(maxX, hi)
			continue
		}
		if start >= 0 && row-start >= 15 && band.Empty() {
			band = image.Rect(minX, start, maxX, row)
		}
		start = -1
	}
	if band.Empty() {
		d.screenshot("no-primary-button")
		d.t.Fatal("no primary button on the screen")
	}
	return (band.Min.X + band.Max.X) / 2, (band.Min.Y + band.Max.Y) / 2
}
