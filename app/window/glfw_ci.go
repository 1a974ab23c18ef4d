//go:build ci

package window

// Built with the tag ci, Fyne draws in software, with no GLFW and no
// monitor: no class to set, no work area, no scale of the desktop's.

func setWindowClass(class, instance string) {}

func workArea() (x, y, w, h int, ok bool) { return 0, 0, 0, 0, false }

func contentScale() float32 { return 0 }
