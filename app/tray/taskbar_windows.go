package tray

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"
)

// When Explorer restarts (it crashed, or was restarted by hand or by an
// update), it broadcasts TaskbarCreated to every top-level window, and
// each program adds its icons again. systray does, from what it holds:
// the icon, but not the tooltip, which the app sets itself (see
// setTooltip). The app's window procedure is put in front of systray's
// on systray's window, so that the tooltip is set again right after
// systray has added the icon back.

var (
	procRegisterWindowMessage = user32.NewProc("RegisterWindowMessageW")
	procGetWindowLongPtr      = user32.NewProc("GetWindowLongPtrW")
	procSetWindowLongPtr      = user32.NewProc("SetWindowLongPtrW")
	procCallWindowProc        = user32.NewProc("CallWindowProcW")
)

// gwlpWndProc is GWLP_WNDPROC, -4.
const gwlpWndProc = ^uintptr(3)

// followTaskbar calls restored, on systray's window thread, each time
// systray has put the icon back in a new taskbar.
func followTaskbar(restored func()) error {
	name, err := windows.UTF16PtrFromString("TaskbarCreated")
	if err != nil {
		return err
	}
	created, _, err := procRegisterWindowMessage.Call(uintptr(unsafe.Pointer(name)))
	if created == 0 {
		return fmt.Errorf("registering TaskbarCreated: %w", err)
	}
	wnd, err := trayWindow()
	if err != nil {
		return err
	}
	// systray's procedure is read first and installed after: a message
	// that comes in between finds it already.
	var systrays atomic.Uintptr
	old, _, err := procGetWindowLongPtr.Call(uintptr(wnd), gwlpWndProc)
	if old == 0 {
		return fmt.Errorf("reading the tray window's procedure: %w", err)
	}
	systrays.Store(old)
	proc := windows.NewCallback(func(hwnd windows.HWND, msg uint32, wParam, lParam uintptr) uintptr {
		r, _, _ := procCallWindowProc.Call(systrays.Load(), uintptr(hwnd), uintptr(msg), wParam, lParam)
		if uintptr(msg) == created {
			restored()
		}
		return r
	})
	if prev, _, err := procSetWindowLongPtr.Call(uintptr(wnd), gwlpWndProc, proc); prev == 0 {
		return fmt.Errorf("following the taskbar: %w", err)
	}
	return nil
}
