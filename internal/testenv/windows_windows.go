package testenv

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
)

var procPostMessageW = windows.NewLazySystemDLL("user32.dll").NewProc("PostMessageW")

// ErrNoWindow is returned by PostToWindows when no window matched.
var ErrNoWindow = errors.New("no such window")

// PostToWindows posts a message to every top-level window of the class
// (hidden ones too) owned by the process pid, or by any process if pid is
// 0, and returns how many were posted to. Windows are looked for on the
// desktop the caller runs on.
func PostToWindows(class string, pid uint32, msg uint32, wParam, lParam uintptr) (int, error) {
	var found []windows.HWND
	cb := windows.NewCallback(func(hwnd windows.HWND, _ uintptr) uintptr {
		var owner uint32
		if _, err := windows.GetWindowThreadProcessId(hwnd, &owner); err != nil || (pid != 0 && owner != pid) {
			return 1 // go on
		}
		var name [64]uint16
		n, err := windows.GetClassName(hwnd, &name[0], int32(len(name)))
		if err == nil && windows.UTF16ToString(name[:n]) == class {
			found = append(found, hwnd)
		}
		return 1
	})
	if err := windows.EnumWindows(cb, nil); err != nil {
		return 0, fmt.Errorf("listing the windows: %w", err)
	}
	if len(found) == 0 {
		return 0, fmt.Errorf("%w: class %q, process %d", ErrNoWindow, class, pid)
	}
	for _, hwnd := range found {
		if r, _, err := procPostMessageW.Call(uintptr(hwnd), uintptr(msg), wParam, lParam); r == 0 {
			return 0, fmt.Errorf("PostMessageW to window %#x: %w", hwnd, err)
		}
	}
	return len(found), nil
}
