package testenv

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestXvfbScreenshotAndXDoTool(t *testing.T) {
	display := StartXvfb(t)
	if !strings.HasPrefix(display, ":") {
		t.Fatalf("DISPLAY %q does not start with ':'", display)
	}
	if other := StartXvfb(t); other == display {
		t.Fatalf("two servers share display %s", display)
	}

	if got := strings.TrimSpace(XDoTool(t, display, "getdisplaygeometry")); got != "1280 800" {
		t.Errorf("getdisplaygeometry = %q, want \"1280 800\"", got)
	}
	// Separate runs: the pointer must stay where the first left it.
	XDoTool(t, display, "mousemove", "100", "200")
	if got := XDoTool(t, display, "getmouselocation"); !strings.HasPrefix(got, "x:100 y:200 ") {
		t.Errorf("getmouselocation after mousemove 100 200 = %q", got)
	}

	path := filepath.Join(t.TempDir(), "root.png")
	img := Screenshot(t, display, path)
	if got := img.Bounds(); got != image.Rect(0, 0, 1280, 800) {
		t.Errorf("screenshot bounds %v, want 1280x800", got)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("screenshot not saved: %v", err)
	}
	if n := NonBackground(img, img.Bounds()); n != 0 {
		t.Errorf("empty screen has %d non-black pixels", n)
	}
}

func TestXDoToolFailsWithOutput(t *testing.T) {
	display := StartXvfb(t)
	msg := fatalMessage(t, func(tb testing.TB) {
		XDoTool(tb, display, "no-such-command")
	})
	if !strings.Contains(msg, "no-such-command") || !strings.Contains(msg, "stderr:") {
		t.Errorf("failure message lacks the command or its output: %q", msg)
	}
}

func TestNonBackground(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	for y := range 10 {
		for x := range 10 {
			img.Set(x, y, color.Black)
		}
	}
	img.Set(1, 1, color.White)
	img.Set(8, 8, color.RGBA{R: 1, A: 255})
	img.Set(5, 5, color.RGBA{A: 255}) // black, whatever the alpha

	tests := []struct {
		r    image.Rectangle
		want int
	}{
		{img.Bounds(), 2},
		{image.Rect(0, 0, 5, 5), 1},
		{image.Rect(2, 2, 8, 8), 0},
		{image.Rect(-5, -5, 100, 100), 2}, // clipped to the image
		{image.Rect(20, 20, 30, 30), 0},
	}
	for _, tt := range tests {
		if got := NonBackground(img, tt.r); got != tt.want {
			t.Errorf("NonBackground(%v) = %d, want %d", tt.r, got, tt.want)
		}
	}
}
