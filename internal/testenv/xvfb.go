package testenv

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// toolTimeout bounds each run of an X client (import, xdotool), so a wedged
// X server fails the test quickly instead of hanging it until go test's
// global timeout.
const toolTimeout = 30 * time.Second

// StartXvfb runs a virtual X server on a free display and returns its
// DISPLAY value, e.g. ":99". The screen is 1280x800 and its root window is
// black.
func StartXvfb(t testing.TB) string {
	t.Helper()
	display, _ := StartXvfbProcess(t)
	return display
}

// StartXvfbProcess is StartXvfb, and also returns the server's process, for
// a test that takes the display away (p.Kill) under an application. The
// server is stopped at the end of the test if it still runs.
func StartXvfbProcess(t testing.TB) (display string, p *os.Process) {
	t.Helper()
	return startXvfb(t)
}

// StartXvfbFramebuffer is StartXvfb with the screen's pixels readable by
// the test at any moment without running a program (Xvfb's -fbdir keeps
// them in a file), for measuring when a window is first drawn.
func StartXvfbFramebuffer(t testing.TB) (display string, fb *Framebuffer) {
	t.Helper()
	dir := t.TempDir()
	display, _ = startXvfb(t, "-fbdir", dir)
	return display, &Framebuffer{path: filepath.Join(dir, "Xvfb_screen0")}
}

func startXvfb(t testing.TB, extra ...string) (display string, p *os.Process) {
	t.Helper()
	xvfb := Require(t, "Xvfb", "xvfb")
	// Xvfb picks a free display itself and writes its number to fd 3 once it
	// accepts connections, so parallel tests never race for a display number
	// and no polling is needed.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("creating the -displayfd pipe: %v", err)
	}
	defer r.Close()
	// -noreset: by default the server resets when its last client leaves,
	// which undoes state (e.g. the pointer position) between two xdotool
	// runs, or between a test's steps when no application is connected.
	args := append([]string{"-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"}, extra...)
	cmd := exec.Command(xvfb, args...)
	cmd.ExtraFiles = []*os.File{w}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("starting Xvfb: %v", err)
	}
	t.Cleanup(func() { stop(cmd) })
	// Only Xvfb may hold the write end now: if it dies, the read sees EOF.
	w.Close()

	if err := r.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatalf("setting a deadline on the -displayfd pipe: %v", err)
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	num, convErr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || convErr != nil {
		// Stopped first, so nothing writes to log while it is read.
		stop(cmd)
		t.Fatalf("Xvfb reported no display number (read %q: %v):\n%s", line, err, log.String())
	}
	return ":" + strconv.Itoa(num), cmd.Process
}

// Screenshot saves the whole screen of display as a PNG at path and returns
// the decoded image.
func Screenshot(t testing.TB, display, path string) image.Image {
	t.Helper()
	im := Require(t, "import", "imagemagick")
	// The "png:" prefix fixes the format whatever the file is called.
	runX(t, display, im, "-window", "root", "png:"+path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("opening screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding screenshot %s: %v", path, err)
	}
	return img
}

// XDoTool runs xdotool with args against display, failing the test with its
// output if it fails, and returns its standard output (e.g. the answer to
// "getmouselocation").
func XDoTool(t testing.TB, display string, args ...string) string {
	t.Helper()
	xdotool := Require(t, "xdotool", "xdotool")
	return runX(t, display, xdotool, args...)
}

// runX runs an X client against display and returns its standard output.
func runX(t testing.TB, display, program string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	// A later DISPLAY overrides the inherited one.
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s on %s: %v\nstdout: %s\nstderr: %s",
			program, strings.Join(args, " "), display, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// NonBackground counts the pixels of img inside r that are not pure black,
// Xvfb's root colour: a rough "was anything drawn here" measure. Alpha is
// ignored, since screenshots are opaque.
func NonBackground(img image.Image, r image.Rectangle) int {
	r = r.Intersect(img.Bounds())
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			red, green, blue, _ := img.At(x, y).RGBA()
			if red|green|blue != 0 {
				n++
			}
		}
	}
	return n
}
