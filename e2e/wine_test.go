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

// wineTimeout bounds one Wine command: a first start in a fresh prefix on
// a loaded machine takes tens of seconds.
const wineTimeout = 3 * time.Minute

// wine is a Wine prefix on a display of its own, with the Windows build of
// the app. Its programs run on one virtual desktop, whose taskbar shows the
// tray icon at its bottom right.
type wine struct {
	t       *testing.T
	dir     string // the prefix's home, the shim, screenshots for polling
	prefix  string
	env     []string
	exe     string // the Windows path of ucontact-tray.exe
	display string
	desktop string // the virtual desktop: name,WxH
	width   int    // of the virtual desktop, at the screen's top left
	height  int
	shots   string // where the steps' screenshots go
}

// newWine makes a fresh 64-bit prefix with the bcryptprimitives.dll shim
// (Debian 12's Wine 8.0 lacks the DLL every Go program for Windows needs).
// Everything Wine starts in it is ended when the test ends.
func newWine(t *testing.T) *wine {
	t.Helper()
	testenv.Require(t, "wine", "wine wine64")
	testenv.Require(t, "wineserver", "wine")
	gcc := testenv.Require(t, "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
	exe := os.Getenv("UCT_WINDOWS_BINARY")
	if exe == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("UCT_WINDOWS_BINARY is not set: run the tests with make test, which builds it")
		}
		t.Skip("UCT_WINDOWS_BINARY is not set (make windows builds it)")
	}
	dir := testenv.ShortTempDir(t)
	w := &wine{
		t: t, dir: dir, prefix: filepath.Join(dir, "prefix"),
		display: testenv.StartXvfb(t),
		desktop: "uct,1024x768", width: 1024, height: 768,
		shots: filepath.Join(outputDir(), strings.ReplaceAll(t.Name(), "/", "_")),
	}
	w.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"WINEPREFIX=" + w.prefix,
		"WINEARCH=win64",
		"WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=", // no Mono or Gecko install prompts
		"DISPLAY=" + w.display,
		"LANG=es_ES.UTF-8",
		// Wine would otherwise start a session bus of its own through
		// dbus-launch, which outlives the test.
		"DBUS_SESSION_BUS_ADDRESS=disabled:",
		testenv.RunMark(),
	}
	// Registered first, so it runs last: after the test's own cleanups.
	t.Cleanup(w.end)

	shim := filepath.Join(dir, "bcryptprimitives.dll")
	testenv.Output(t, 0, exec.Command(gcc, "-O2", "-shared", "-s", "-o", shim,
		filepath.Join("..", "windows", "shim", "bcryptprimitives.c"), "-ladvapi32"))
	testenv.Output(t, wineTimeout, w.command("wine", "wineboot", "-i"))
	testenv.Output(t, wineTimeout, w.command("wineserver", "-w"))
	b, err := os.ReadFile(shim)
	if err == nil {
		err = os.WriteFile(filepath.Join(w.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		t.Fatal(err)
	}
	w.exe = windowsPath(abs)
	return w
}

// windowsPath is a host path as Wine's programs see it, on drive Z:.
func windowsPath(path string) string { return `Z:` + strings.ReplaceAll(path, "/", `\`) }

// end stops every Wine process of the prefix and waits for its wineserver
// to go.
func (w *wine) end() {
	testenv.Run(w.t, wineTimeout, w.command("wineserver", "-k"), "") // exits 1 if none runs
	testenv.Run(w.t, wineTimeout, w.command("wineserver", "-w"), "")
}

func (w *wine) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = w.env
	return cmd
}

// runWine runs a program under Wine (a Windows path, or one of Wine's
// own: reg, msiexec) to its end, within wineTimeout.
func (w *wine) runWine(stdin string, args ...string) result {
	w.t.Helper()
	r := testenv.Run(w.t, wineTimeout, w.command("wine", args...), stdin)
	return result{r.Code, r.Stdout, r.Stderr}
}

// run runs the app's command line under Wine to its end.
func (w *wine) run(stdin string, args ...string) result {
	w.t.Helper()
	return w.runWine(stdin, append([]string{w.exe}, args...)...)
}

// startApp starts the tray app under test; see start.
func (w *wine) startApp(args ...string) *testenv.Process {
	w.t.Helper()
	return w.start(w.exe, args...)
}

// start starts the Windows program exe on the virtual desktop, with Wine's
// systray channel on (each Shell_NotifyIconW call and the size it was
// given, and a warning for a size it does not know).
func (w *wine) start(exe string, args ...string) *testenv.Process {
	w.t.Helper()
	cmd := w.command("wine", append([]string{"explorer", "/desktop=" + w.desktop, exe}, args...)...)
	cmd.Env = append(append([]string(nil), w.env...), "WINEDEBUG=-all,+systray")
	// Not in a process group of its own, nor killed when the test ends:
	// Wine's own processes (wineserver, explorer) outlive the program
	// started here, and w.end ends them all.
	return testenv.StartUnmanaged(w.t, cmd)
}

// appData is a folder of the Windows user's profile in the prefix:
// "Local" (os.UserCacheDir: the logs) or "Roaming" (os.UserConfigDir: the
// settings and the session record).
func (w *wine) appData(which string) string {
	w.t.Helper()
	profiles, err := filepath.Glob(filepath.Join(w.prefix, "drive_c", "users", "*", "AppData", which))
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

// logDir is where the app keeps its logs in this prefix.
func (w *wine) logDir() string { return w.appData("Local") }

// writeSettings writes the user's settings file, as an earlier run of the
// app would have.
func (w *wine) writeSettings(json string) {
	w.t.Helper()
	dir := w.appData("Roaming")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(json), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// running reports whether a process of the app runs in this prefix: a Wine
// process shows its Windows command line in the host's process list.
func (w *wine) running() bool {
	w.t.Helper()
	out := testenv.Output(w.t, 0, exec.Command("ps", "-eo", "args"))
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, w.exe) {
			return true
		}
	}
	return false
}
