//go:build !((linux || freebsd || openbsd || netbsd) && !wayland)

package window

// Elsewhere than on X11 the window is not moved, and its scale is Fyne's:
// on Windows, Fyne follows the monitor's DPI through GLFW's content scale;
// on Wayland, the compositor's scale.

func followDesktopScale() {}

func newPlacer() placer { return nil }
