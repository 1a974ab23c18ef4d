// Package startup prepares a program's process before it does anything
// else: a command typed in a Windows console prints there, and no D-Bus
// session bus is started behind the user's back where there is none.
package startup
