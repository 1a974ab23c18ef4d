//go:build !((linux || freebsd || openbsd || netbsd) && !wayland)

package window

// Windows scales the window to its monitor's DPI through Fyne, which asks
// GLFW for the monitor's content scale there; the window is not moved.

func followDesktopScale() {}

func newPlacer() placer { return nil }
