package startup

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParentPID is ATTACH_PARENT_PROCESS for AttachConsole.
const attachParentPID = ^uint32(0)

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// AttachConsole lets the command line print in the console it was typed
// in: the program is built for the GUI subsystem (no console window pops up
// for the tray app), which leaves a command with no standard handles.
// Redirected handles (pipes, files) are kept as they are.
func AttachConsole() {
	if len(os.Args) < 2 {
		return // the tray app has no console to talk to
	}
	if h, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return
	}
	if ok, _, _ := procAttachConsole.Call(uintptr(attachParentPID)); ok == 0 {
		return // started from Explorer, say: nothing to attach to
	}
	if out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = out, out
	}
	if in, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
		os.Stdin = in
	}
}
