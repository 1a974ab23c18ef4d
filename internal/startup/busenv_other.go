//go:build !linux && !freebsd && !openbsd && !netbsd

package startup

// NoBusAutolaunch: these systems have no D-Bus session bus to autolaunch.
func NoBusAutolaunch() {}
