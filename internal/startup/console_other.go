//go:build !windows

package startup

// AttachConsole: elsewhere a command always has its terminal's handles.
func AttachConsole() {}
