//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"ucontact-tray/internal/testenv"
)

// The window on a desktop that asks for a larger size (Xft.dpi: 192 is
// twice the size, 288 three times) on a 1280×800 screen: it is scaled, it
// fits the screen (its content scrolls if need be), docks can match it to
// the desktop entry by its class, and when the tray app dies under it, it
// closes by itself, quietly.
func TestWindowOnAHiDPIDesk(t *testing.T) {
	for _, dpi := range []int{192, 288} {
		t.Run(strconv.Itoa(dpi), func(t *testing.T) { windowOnAHiDPIDesk(t, dpi) })
	}
}

func windowOnAHiDPIDesk(t *testing.T, dpi int) {
	d := newDesk(t, deskOptions{display: true, tray: true})
	d.wantLog = nil // no login here
	xclient(t, d.Display, fmt.Sprintf("Xft.dpi:\t%d\n", dpi), "xrdb", "-merge")

	res := d.start()
	d.trayOf("Sin sesión")
	pid, err := strconv.Atoi(res.WaitLog(`window started" pid=(\d+)`, startTimeout)[1])
	if err != nil {
		t.Fatal(err)
	}
	d.waitWindow()
	d.screenshot("1-window")

	id := strings.TrimSpace(xclient(t, d.Display, "", "xdotool", "search", "--class", "^io.github.ucontacttray$"))
	if id == "" || strings.Contains(id, "\n") {
		t.Fatalf("windows of class io.github.ucontacttray: %q", id)
	}
	if class := xclient(t, d.Display, "", "xprop", "-id", id, "WM_CLASS"); !strings.Contains(class, `"ucontact-tray", "io.github.ucontacttray"`) {
		t.Errorf("the window's %s", class)
	}
	x, y, w, h := geometry(t, d.Display, id)
	t.Logf("window at %d,%d, %d×%d", x, y, w, h)
	// 460 wide at 96 dpi, as wide as the screen allows when scaled.
	if want := min(460*dpi/96, 1280); w < want-10 {
		t.Errorf("the window is %d pixels wide, want %d: not scaled to Xft.dpi", w, want)
	}
	if x < 0 || y < 0 || x+w > 1280 || y+h > 800 {
		t.Errorf("the window (%d,%d %d×%d) is not within the 1280×800 screen", x, y, w, h)
	}

	// The tray app crashes.
	if err := res.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	windowLog := filepath.Join(d.logDir, "ucontact-tray-window.log")
	testenv.WaitFor(t, stepTimeout, "the window to close", func() bool {
		b, _ := os.ReadFile(windowLog)
		return bytes.Contains(b, []byte(`msg="window closed"`))
	})
	d.screenshot("2-tray-app-killed")
	log, _ := os.ReadFile(windowLog)
	if !bytes.Contains(log, []byte("the tray app is gone")) || regexp.MustCompile(`level=(WARN|ERROR)`).Match(log) {
		t.Errorf("the window's log:\n%s", log)
	}
	testenv.WaitFor(t, stepTimeout, "the window's process to end", func() bool {
		// Reaped by init once it ends, as the tray app is gone.
		return syscall.Kill(pid, 0) != nil
	})
	if out, err := xclientErr(d.Display, "", "xwininfo", "-id", id); err == nil {
		t.Errorf("the window is still there:\n%s", out)
	}
}

// A scale the user set (FYNE_SCALE) is the window's, whatever Xft.dpi
// says.
func TestWindowKeepsTheUsersScale(t *testing.T) {
	d := newDesk(t, deskOptions{display: true, tray: true})
	d.wantLog = nil // no login here
	xclient(t, d.Display, "Xft.dpi:\t192\n", "xrdb", "-merge")
	cmd := exec.Command(d.bin)
	cmd.Env = append(d.env(), "FYNE_SCALE=1")
	res := testenv.StartProcess(t, cmd)
	t.Cleanup(res.Kill)
	d.trayOf("Sin sesión")
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	id := strings.TrimSpace(xclient(t, d.Display, "", "xdotool", "search", "--class", "^io.github.ucontacttray$"))
	if _, _, w, _ := geometry(t, d.Display, id); w != 460 {
		t.Errorf("the window is %d pixels wide with FYNE_SCALE=1, want 460", w)
	}
}

// geometry is where the window is on the screen, and its size, in pixels.
func geometry(t *testing.T, display, id string) (x, y, w, h int) {
	t.Helper()
	out := xclient(t, display, "", "xwininfo", "-id", id)
	field := func(name string) int {
		m := regexp.MustCompile(name + `:\s+(-?\d+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %s in:\n%s", name, out)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return field("Absolute upper-left X"), field("Absolute upper-left Y"), field("Width"), field("Height")
}

// xclient runs an X client on display with stdin, and returns its output;
// the test fails if it fails.
func xclient(t *testing.T, display, stdin, program string, args ...string) string {
	t.Helper()
	out, err := xclientErr(display, stdin, program, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out)
	}
	return out
}

func xclientErr(display, stdin, program string, args ...string) (string, error) {
	cmd := exec.Command(program, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A window that grows past the bottom of the screen (a message shown in
// it, while the user had moved it low) moves back up onto it.
func TestWindowMovesBackOnScreen(t *testing.T) {
	d := newDesk(t, deskOptions{display: true, tray: true})
	d.wantLog = nil // no login here
	res := d.start()
	d.trayOf("Sin sesión")
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	id := strings.TrimSpace(xclient(t, d.Display, "", "xdotool", "search", "--class", "^io.github.ucontacttray$"))
	x, _, _, h := geometry(t, d.Display, id)
	low := 800 - h - 4 // all on screen, with no room below
	xclient(t, d.Display, "", "xdotool", "windowmove", id, strconv.Itoa(x), strconv.Itoa(low))
	if _, y, _, _ := geometry(t, d.Display, id); y != low {
		t.Fatalf("the window is at y %d, moved to %d", y, low)
	}
	// Iniciar sesión with the form empty: the window says what is missing,
	// and grows.
	d.key("Tab")
	d.key("Tab")
	d.key("Return")
	var y, grown int
	testenv.WaitFor(t, stepTimeout, "the window to grow", func() bool {
		_, y, _, grown = geometry(t, d.Display, id)
		return grown > h
	})
	// The move is a request of its own, right after the resize.
	testenv.WaitFor(t, stepTimeout, "the window to move back onto the screen", func() bool {
		_, y, _, grown = geometry(t, d.Display, id)
		return y >= 0 && y+grown <= 800
	})
	d.screenshot("moved-back")
	t.Logf("the window grew from %d to %d pixels; it is at y %d", h, grown, y)
	if y+grown < 800-8 {
		t.Errorf("the window moved further than needed: %d tall at y %d", grown, y)
	}
}
