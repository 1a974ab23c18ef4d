//go:build !linux && !freebsd && !openbsd && !netbsd

package tray

// applyWhenExported has nothing to wait for here: the item takes changes
// from the start.
func applyWhenExported(_ string, apply func()) { apply() }
