//go:build !windows

package main

// attachConsole: elsewhere a command always has its terminal's handles.
func attachConsole() {}
