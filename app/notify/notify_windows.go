package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Desktop shows notifications as a balloon (a toast on Windows 10 and
// later) from the app's own tray icon.
type Desktop struct {
	AppName string
}

// fyne.io/systray v1.12.2 puts its icon on a hidden window of this class,
// with this icon ID. A later version that changes them makes Notify fail
// with a clear error rather than show a balloon on someone else's icon: the
// window must also belong to this process.
const (
	systrayClass  = "SystrayClass"
	systrayIconID = 100
)

const (
	nimModify = 0x00000001
	nifInfo   = 0x00000010
	niifInfo  = 0x00000001
)

// notifyIconData is NOTIFYICONDATAW.
type notifyIconData struct {
	Size                       uint32
	Wnd                        windows.HWND
	ID, Flags, CallbackMessage uint32
	Icon                       windows.Handle
	Tip                        [128]uint16
	State, StateMask           uint32
	Info                       [256]uint16
	Timeout, Version           uint32
	InfoTitle                  [64]uint16
	InfoFlags                  uint32
	GuidItem                   windows.GUID
	BalloonIcon                windows.Handle
}

var shellNotifyIcon = windows.NewLazySystemDLL("shell32.dll").NewProc("Shell_NotifyIconW")

// Notify shows one balloon on the tray icon.
func (d Desktop) Notify(_ context.Context, summary, body string) error {
	wnd, err := trayWindow()
	if err != nil {
		return err
	}
	nid := notifyIconData{Wnd: wnd, ID: systrayIconID, Flags: nifInfo, InfoFlags: niifInfo}
	nid.Size = uint32(unsafe.Sizeof(nid))
	copyUTF16(nid.InfoTitle[:], summary)
	copyUTF16(nid.Info[:], body)
	if ok, _, err := shellNotifyIcon.Call(nimModify, uintptr(unsafe.Pointer(&nid))); ok == 0 {
		return fmt.Errorf("notification: Shell_NotifyIcon: %w", err)
	}
	return nil
}

// trayWindow finds this process's systray window.
func trayWindow() (windows.HWND, error) {
	var found windows.HWND
	pid := uint32(os.Getpid())
	cb := windows.NewCallback(func(hwnd windows.HWND, _ uintptr) uintptr {
		var owner uint32
		if _, err := windows.GetWindowThreadProcessId(hwnd, &owner); err != nil || owner != pid {
			return 1 // go on
		}
		var class [64]uint16
		n, err := windows.GetClassName(hwnd, &class[0], int32(len(class)))
		if err == nil && windows.UTF16ToString(class[:n]) == systrayClass {
			found = hwnd
			return 0 // stop
		}
		return 1
	})
	windows.EnumWindows(cb, nil) //nolint:errcheck // stopping early reports an error
	if found == 0 {
		return 0, errors.New("notification: the tray icon's window was not found")
	}
	return found, nil
}

// copyUTF16 copies s into a fixed NUL-terminated field, cut to fit.
func copyUTF16(dst []uint16, s string) {
	u, err := windows.UTF16FromString(s)
	if err != nil {
		return
	}
	if len(u) > len(dst) {
		u = u[:len(dst)]
		u[len(u)-1] = 0
	}
	copy(dst, u)
}
