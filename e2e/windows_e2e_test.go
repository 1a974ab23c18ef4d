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

// wine is a Wine prefix on Xvfb with the Windows build of the app.
type wine struct {
	t       *testing.T
	prefix  string
	env     []string
	exe     string // the Windows path of ucontact-tray.exe
	desktop string // the Wine desktop the app and the shutdown share
}

// newWine makes a fresh 64-bit prefix with the bcryptprimitives.dll shim
// (Debian 12's Wine 8.0 lacks the DLL every Go program for Windows needs).
func newWine(t *testing.T) *wine {
	t.Helper()
	wineBin := testenv.Require(t, "wine", "wine wine64")
	testenv.Require(t, "wineserver", "wine")
	gcc := testenv.Require(t, "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
	exe := os.Getenv("UCT_WINDOWS_BINARY")
	if exe == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("UCT_WINDOWS_BINARY is not set: run the tests with make test, which builds it")
		}
		t.Skip("UCT_WINDOWS_BINARY is not set (make windows builds it)")
	}
	dir := shortDir(t)
	shim := filepath.Join(dir, "bcryptprimitives.dll")
	if out, err := exec.Command(gcc, "-O2", "-shared", "-s", "-o", shim,
		filepath.Join("..", "windows", "shim", "bcryptprimitives.c"), "-ladvapi32").CombinedOutput(); err != nil {
		t.Fatalf("building the shim: %v\n%s", err, out)
	}
	w := &wine{t: t, prefix: filepath.Join(dir, "prefix"), desktop: "uct,1024x768"}
	w.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"WINEPREFIX=" + w.prefix,
		"WINEARCH=win64",
		"WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=", // no Mono or Gecko install prompts
		"DISPLAY=" + testenv.StartXvfb(t),
		"LANG=es_ES.UTF-8",
	}
	t.Cleanup(func() { w.command("wineserver", "-k").Run() }) //nolint:errcheck // ends only this prefix's processes
	if out, err := w.command(wineBin, "wineboot", "-i").CombinedOutput(); err != nil {
		t.Fatalf("wineboot -i: %v\n%s", err, out)
	}
	if out, err := w.command("wineserver", "-w").CombinedOutput(); err != nil {
		t.Fatalf("wineserver -w: %v\n%s", err, out)
	}
	system32 := filepath.Join(dir, "prefix", "drive_c", "windows", "system32")
	b, err := os.ReadFile(shim)
	if err == nil {
		err = os.WriteFile(filepath.Join(system32, "bcryptprimitives.dll"), b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		t.Fatal(err)
	}
	w.exe = `Z:` + strings.ReplaceAll(abs, "/", `\`)
	return w
}

func (w *wine) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = w.env
	return cmd
}

// run runs the app's command line under Wine to its end.
func (w *wine) run(stdin string, args ...string) result {
	w.t.Helper()
	return runToEnd(w.t, w.command("wine", append([]string{w.exe}, args...)...), stdin)
}

// The Windows build under Wine: logged in through the command line, the
// session is ended when Windows shuts down, before the app is gone.
func TestWindowsShutdownEndsTheSession(t *testing.T) {
	w := newWine(t)
	d := newDesk(t, deskOptions{}) // the fake server; Wine reaches the host's loopback
	d.logDir = w.logDir()
	for _, kind := range []string{"user", "agent"} {
		t.Run(kind, func(t *testing.T) {
			// A fresh Wine session: the last one went through a shutdown.
			w.command("wineserver", "-k").Run() //nolint:errcheck // none may be running
			w.command("wineserver", "-w").Run() //nolint:errcheck
			before := len(d.srv.RequestsTo(endPath(kind)))
			app := w.command("wine", "explorer", "/desktop="+w.desktop, w.exe)
			out := &testenv.Buffer{}
			app.Stdout, app.Stderr = out, out
			if err := app.Start(); err != nil {
				t.Fatal(err)
			}
			res := &proc{t: t, cmd: app, out: out, done: make(chan struct{})}
			go func() { res.err = app.Wait(); close(res.done) }()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("app output:\n%s", out.String())
				}
			})
			res.waitLog(`end-session window ready`, startTimeout)
			res.waitLog(`tray ready`, startTimeout)
			// Under Wine 8, a client that reaches the named pipe while the
			// window process starts can wait until its deadline: ask until
			// the tray app answers, as a user would.
			testenv.WaitFor(t, startTimeout, "the tray app to answer", func() bool {
				return w.run("", "status").code == 0
			})

			r := w.run(password, "login", "--server", "http://"+d.addr, "--user", user, "--kind", kind, "--password-stdin")
			if r.code != 0 {
				t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
			}
			res.waitLog(`state=logged-in`, stepTimeout)
			// The first login turns on "Iniciar con el sistema": the user's
			// Run key names the program, quoted.
			testenv.WaitFor(t, stepTimeout, "the Run key to name the app", func() bool {
				out, _ := w.command("wine", "reg", "query", `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, "/v", "ucontact-tray").CombinedOutput()
				return strings.Contains(string(out), `"`+w.exe+`"`)
			})

			// wineboot --end-session walks the windows of the desktop it runs
			// on: it must be the app's.
			if out, err := w.command("wine", "explorer", "/desktop="+w.desktop, "wineboot.exe", "--end-session", "--shutdown").CombinedOutput(); err != nil {
				t.Fatalf("wineboot --end-session: %v\n%s", err, out)
			}
			res.waitLog(`source=WM_QUERYENDSESSION`, stepTimeout)
			testenv.WaitFor(t, stepTimeout, "the app to be gone", func() bool {
				return !w.running()
			})
			gone := time.Now()
			ends := d.srv.RequestsTo(endPath(kind))
			if len(ends) != before+1 {
				t.Fatalf("%d end-of-session requests, want 1", len(ends)-before)
			}
			if end := ends[len(ends)-1]; !end.At.Before(gone) {
				t.Errorf("the end of session arrived at %v, after the app was gone (%v)", end.At, gone)
			}
			for _, s := range d.srv.Sessions() {
				if s.Ended != 1 {
					t.Errorf("session %+v ended %d times", s, s.Ended)
				}
			}
		})
	}
}

// logDir is where the app keeps its logs in this prefix: in the Windows
// user's local application data (os.UserCacheDir).
func (w *wine) logDir() string {
	w.t.Helper()
	profiles, err := filepath.Glob(filepath.Join(w.prefix, "drive_c", "users", "*", "AppData", "Local"))
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range profiles {
		if !strings.Contains(p, "Public") {
			return filepath.Join(p, "ucontact-tray")
		}
	}
	w.t.Fatalf("no user profile in the Wine prefix: %v", profiles)
	return ""
}

// running reports whether a process of the app runs in this prefix: a Wine
// process shows its Windows command line in the host's process list.
func (w *wine) running() bool {
	out, _ := exec.Command("ps", "-eo", "args").Output()
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, w.exe) {
			return true
		}
	}
	return false
}
