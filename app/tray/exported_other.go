//go:build !linux

package tray

// waitItemExported has nothing to wait for: the title is not an Id here.
func waitItemExported() {}
