//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"

	"ucontact-tray/assets/icons"
	"ucontact-tray/internal/testenv"
)

// What the agent sees of the Windows build on Wine's virtual desktop, read
// from screenshots: the tray icon, the tray menu, balloons, the login
// window's fields.

// taskbarHeight is the height of the virtual desktop's taskbar, at its
// bottom; the tray icon is at its right end.
const taskbarHeight = 20

// inputBackground is the fill of Fyne's text fields in its light theme (as
// Wine's default Windows settings ask for).
var inputBackground = color.RGBA{0xf3, 0xf3, 0xf3, 0xff}

// shotCount numbers the screenshots taken for polling.
var shotCount atomic.Int64

// look takes a screenshot of the display.
func (w *wine) look() image.Image {
	w.t.Helper()
	path := filepath.Join(w.dir, "look-"+strconv.FormatInt(shotCount.Add(1), 10)+".png")
	img := testenv.Screenshot(w.t, w.display, path)
	os.Remove(path) //nolint:errcheck // in a folder removed with the test
	return img
}

// screenshot saves the screen as name.png in the test's output folder, to
// look at.
func (w *wine) screenshot(name string) image.Image {
	w.t.Helper()
	if err := os.MkdirAll(w.shots, 0o755); err != nil {
		w.t.Fatal(err)
	}
	return testenv.Screenshot(w.t, w.display, filepath.Join(w.shots, name+".png"))
}

func (w *wine) xdotool(args ...string) { testenv.XDoTool(w.t, w.display, args...) }

// click clicks the primary button at x, y.
func (w *wine) click(x, y int) {
	w.xdotool("mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
}

func (w *wine) typeText(text string) { w.xdotool("type", "--delay", "15", text) }

// trayArea is where the tray icon is drawn.
func (w *wine) trayArea() image.Rectangle {
	return image.Rect(w.width-24, w.height-taskbarHeight, w.width, w.height)
}

// trayIcon names the icon the tray shows, by the colour of the app's icon
// that is nearest to the colour drawn in the tray area; "" if no icon is
// drawn there.
func (w *wine) trayIcon(img image.Image) string {
	area := w.trayArea()
	background := img.At(area.Min.X, area.Min.Y+1)
	var sum [3]float64
	n := 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			c := img.At(x, y)
			if distance(c, background) < 60 {
				continue
			}
			r, g, b, _ := c.RGBA()
			sum[0], sum[1], sum[2] = sum[0]+float64(r>>8), sum[1]+float64(g>>8), sum[2]+float64(b>>8)
			n++
		}
	}
	if n < 20 {
		return ""
	}
	drawn := color.RGBA{uint8(sum[0] / float64(n)), uint8(sum[1] / float64(n)), uint8(sum[2] / float64(n)), 0xff}
	best, bestDistance := "", math.MaxFloat64
	for name, c := range iconColours(w.t) {
		if d := distance(drawn, c); d < bestDistance {
			best, bestDistance = name, d
		}
	}
	return best
}

// iconColours is the mean colour of each of the app's tray icons.
func iconColours(t interface{ Fatal(...any) }) map[string]color.Color {
	colours := map[string]color.Color{}
	for name, b := range map[string][]byte{
		"logged-out": icons.LoggedOutPNG, "logged-in": icons.LoggedInPNG,
		"busy": icons.BusyPNG, "attention": icons.AttentionPNG,
	} {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var sum [3]float64
		n := 0
		bounds := img.Bounds()
		for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
			for x := bounds.Min.X; x < bounds.Max.X; x++ {
				r, g, b, a := img.At(x, y).RGBA()
				if a < 0xc000 {
					continue
				}
				sum[0], sum[1], sum[2] = sum[0]+float64(r*0xffff/a>>8), sum[1]+float64(g*0xffff/a>>8), sum[2]+float64(b*0xffff/a>>8)
				n++
			}
		}
		colours[name] = color.RGBA{uint8(sum[0] / float64(n)), uint8(sum[1] / float64(n)), uint8(sum[2] / float64(n)), 0xff}
	}
	return colours
}

// waitTrayIcon waits until the tray shows the icon named want, and saves a
// screenshot as step.
func (w *wine) waitTrayIcon(want, step string) {
	w.t.Helper()
	var got string
	testenv.WaitFor(w.t, stepTimeout, "the "+want+" tray icon", func() bool {
		got = w.trayIcon(w.look())
		return got == want
	})
	w.screenshot(step)
}

// distance is how far apart two colours are, in RGB.
func distance(a, b color.Color) float64 {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	dr, dg, db := float64(ar>>8)-float64(br>>8), float64(ag>>8)-float64(bg>>8), float64(ab>>8)-float64(bb>>8)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}

// changed is the box around the pixels that differ between before and
// after inside r; empty if none.
func changed(before, after image.Image, r image.Rectangle) image.Rectangle {
	var box image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if distance(before.At(x, y), after.At(x, y)) > 30 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// lines are the rows of text in box: each band of rows with dark pixels
// ("ink") at least minHeight tall, as the y of its middle. Thinner bands
// (a menu's separators) are left out.
func lines(img image.Image, box image.Rectangle, minHeight int) []int {
	var mids []int
	start := -1
	for y := box.Min.Y; y <= box.Max.Y; y++ {
		if y < box.Max.Y && inked(img, box, y) {
			if start < 0 {
				start = y
			}
			continue
		}
		if start >= 0 && y-start >= minHeight {
			mids = append(mids, (start+y)/2)
		}
		start = -1
	}
	return mids
}

// inked reports whether row y of box has a dark pixel, but is not a line
// drawn across it (a separator).
func inked(img image.Image, box image.Rectangle, y int) bool {
	dark := 0
	for x := box.Min.X; x < box.Max.X; x++ {
		if luma(img.At(x, y)) < 200 {
			dark++
		}
	}
	return dark > 0 && dark < box.Dx()*3/4
}

// ink counts the dark pixels of box: the strokes of text.
func ink(img image.Image, box image.Rectangle) int {
	n := 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if luma(img.At(x, y)) < 128 {
				n++
			}
		}
	}
	return n
}

func luma(c color.Color) uint32 {
	r, g, b, _ := c.RGBA()
	return (299*(r>>8) + 587*(g>>8) + 114*(b>>8)) / 1000
}

// menu is the tray menu on screen.
type menu struct {
	box   image.Rectangle
	items []int       // the y of each line of text, the status line first
	under image.Image // the screen before the menu opened
}

// openMenu right-clicks the tray icon and waits for the menu. The mouse
// then leaves the icon, so that its tooltip does not cover the menu.
func (w *wine) openMenu(step string) menu {
	w.t.Helper()
	m := menu{under: w.look()}
	icon := w.trayArea()
	w.xdotool("mousemove", strconv.Itoa(icon.Max.X-12), strconv.Itoa(icon.Min.Y+10), "click", "3",
		"mousemove", strconv.Itoa(w.width/4), strconv.Itoa(w.height/4))
	w.waitMenu(&m, "the tray menu", func(menu) bool { return true })
	w.screenshot(step)
	return m
}

// waitMenu waits until the menu m, still open, is drawn as ok wants, and
// updates m to what is on screen.
func (w *wine) waitMenu(m *menu, what string, ok func(menu) bool) {
	w.t.Helper()
	above := image.Rect(0, 0, w.width, w.height-taskbarHeight)
	testenv.WaitFor(w.t, stepTimeout, what, func() bool {
		img := w.look()
		m.box = changed(m.under, img, above)
		if m.box.Dx() < 60 || m.box.Dy() < 40 {
			return false
		}
		m.items = lines(img, m.box.Inset(3), 4)
		return ok(*m)
	})
}

// choose clicks the menu's item i (the status line is 0).
func (w *wine) choose(m menu, i int) {
	w.t.Helper()
	if i >= len(m.items) {
		w.t.Fatalf("the menu has %d lines, no item %d", len(m.items), i)
	}
	w.click(m.box.Min.X+40, m.items[i])
}

// balloon is a notification on screen.
type balloon struct {
	box   image.Rectangle
	lines int // of text: the title and the body's
	ink   int // dark pixels
}

// waitBalloon waits for a balloon in the band above the taskbar (where
// nothing else is drawn but the menu, the bottom of the centred window if
// it is open, and the desktop's own colour otherwise), and saves a
// screenshot as step.
func (w *wine) waitBalloon(step string) balloon {
	w.t.Helper()
	var b balloon
	testenv.WaitFor(w.t, stepTimeout, "a balloon", func() bool {
		img := w.look()
		band := w.belowTheWindow(img, image.Rect(w.width/3, w.height-taskbarHeight-120, w.width, w.height-taskbarHeight))
		b.box = unlike(img, img.At(band.Max.X-1, band.Min.Y), band)
		if b.box.Dx() < 100 || b.box.Dy() < 30 {
			return false
		}
		b.lines = len(lines(img, b.box.Inset(4), 5))
		b.ink = ink(img, b.box)
		return true
	})
	w.screenshot(step)
	return b
}

// belowTheWindow is the part of band below the window, which is centred and
// may reach into it; the band's right end, where the balloons are drawn,
// is the desktop's colour above a balloon.
func (w *wine) belowTheWindow(img image.Image, band image.Rectangle) image.Rectangle {
	desktop := img.At(band.Max.X-1, band.Min.Y)
	for band.Min.Y < band.Max.Y && distance(img.At(w.width/2, band.Min.Y), desktop) > 30 {
		band.Min.Y++
	}
	return band
}

// unlike is the box around the pixels of r whose colour is not c.
func unlike(img image.Image, c color.Color, r image.Rectangle) image.Rectangle {
	var box image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if distance(img.At(x, y), c) > 30 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// fields finds the login window's text fields, top to bottom, as the
// points to click them at: they are the bands of Fyne's field colour down
// a line through the centred window, near the fields' right end, where
// neither the placeholders nor the password's eye icon reach.
func (w *wine) fields(img image.Image) []image.Point {
	x := w.width/2 + 170
	var points []image.Point
	start := -1
	for y := 0; y <= w.height; y++ {
		if y < w.height && distance(img.At(x, y), inputBackground) < 4 {
			if start < 0 {
				start = y
			}
			continue
		}
		if start >= 0 && y-start >= 20 {
			points = append(points, image.Pt(x-40, (start+y)/2))
		}
		start = -1
	}
	return points
}

// waitFields waits for the login window's three fields (server, user,
// password) to be drawn, in the same place on two looks in a row (the
// window is fitted to its form once the tray app has said what goes in
// it), and returns where to click them.
func (w *wine) waitFields() []image.Point {
	w.t.Helper()
	var last []image.Point
	testenv.WaitFor(w.t, startTimeout, "the login window's three fields, settled", func() bool {
		points := w.fields(w.look())
		settled := len(points) == 3 && slices.Equal(points, last)
		last = points
		return settled
	})
	return last
}

func (b balloon) String() string {
	return fmt.Sprintf("%v, %d lines, %d dark pixels", b.box, b.lines, b.ink)
}
