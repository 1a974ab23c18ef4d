//go:build !linux

package main

// noBusAutolaunch: only Linux uses a D-Bus session bus.
func noBusAutolaunch() {}
