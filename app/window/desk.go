package window

import (
	"math"

	"fyne.io/fyne/v2"
)

// wmClass is the window's X11 class (WM_CLASS's res_class), which docks and
// task bars match to the desktop entry's StartupWMClass; it is the app's
// ID, the desktop entry's name. Left to GLFW, it would be the window's
// title, which changes with the screen shown. wmInstance is WM_CLASS's
// res_name. A test keeps wmClass in step with FyneApp.toml's ID.
const (
	wmClass    = "io.github.ucontacttray"
	wmInstance = "ucontact-tray"
)

// desk is the screen the window is on, as far as keeping the window on it
// needs.
type desk interface {
	// room is the size the window may take, in pixels: the work area (the
	// screen less its panels) less the window's frame. Zero when not known.
	room() (width, height int)
	// keepOnScreen moves the window, about to be size (in Fyne units), back
	// within the work area if it would extend past it.
	keepOnScreen(size fyne.Size)
}

// prepareWindow sets what GLFW reads as it makes the window: the X11 class,
// and on X11 the desktop's scale. Call it on the main goroutine, after
// Fyne has started GLFW (with the app's first window) and before the window
// is shown (made).
func prepareWindow() {
	setWindowClass(wmClass, wmInstance)
	followDesktopScale()
}

// glfwDesk is the desk as GLFW (Fyne's driver) sees it. Its methods run on
// the main goroutine, as GLFW requires.
type glfwDesk struct {
	win    fyne.Window
	placer placer // nil where the window cannot be moved
}

// placer finds and moves a window; frame is the size of its frame (title
// bar and borders) in pixels, as last seen.
type placer interface {
	frame() (left, right, top, bottom int)
	keepWithin(win fyne.Window, width, height int, x, y, w, h int)
}

func newDesk(win fyne.Window) desk {
	return &glfwDesk{win: win, placer: newPlacer()}
}

func (d *glfwDesk) room() (width, height int) {
	_, _, w, h, ok := workArea()
	if !ok {
		return 0, 0
	}
	if d.placer != nil {
		left, right, top, bottom := d.placer.frame()
		w, h = w-left-right, h-top-bottom
	}
	return w, h
}

func (d *glfwDesk) keepOnScreen(size fyne.Size) {
	x, y, w, h, ok := workArea()
	if !ok || d.placer == nil {
		return
	}
	scale := d.win.Canvas().Scale()
	// Rounded up, as Fyne does.
	width, height := int(math.Ceil(float64(size.Width*scale))), int(math.Ceil(float64(size.Height*scale)))
	d.placer.keepWithin(d.win, width, height, x, y, w, h)
}

// within places a window along one axis: pos and size are the window's
// own, before and after its frame's on either side, start and length the
// work area's. The window moves back if it extends past the area's end,
// and then, if it still starts before it (it is too large), to its start.
func within(pos, size, before, after, start, length int) int {
	if end := start + length; pos+size+after > end {
		pos = end - after - size
	}
	if pos-before < start {
		pos = start + before
	}
	return pos
}
