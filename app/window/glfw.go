//go:build !ci

package window

import "github.com/go-gl/glfw/v3.3/glfw"

// The calls to GLFW, Fyne's desktop driver, that Fyne does not make for
// the window; they run on the main goroutine, as GLFW requires. Built with
// the tag ci, Fyne draws without GLFW (and without cgo), and glfw_ci.go
// stands in.

// setWindowClass sets the X11 class (WM_CLASS) of the windows made next.
// GLFW keeps these hints for every window made after; Fyne sets other
// hints but never resets these.
func setWindowClass(class, instance string) {
	glfw.WindowHintString(glfw.X11ClassName, class)
	glfw.WindowHintString(glfw.X11InstanceName, instance)
}

// workArea is the primary monitor's work area in pixels: Fyne places a new
// window on it.
func workArea() (x, y, w, h int, ok bool) {
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, 0, 0, false
	}
	x, y, w, h = m.GetWorkarea()
	return x, y, w, h, w > 0 && h > 0
}

// contentScale is the primary monitor's content scale (on X11, Xft.dpi
// over 96); 0 if there is no monitor.
func contentScale() float32 {
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0
	}
	scale, _ := m.GetContentScale()
	return scale
}
