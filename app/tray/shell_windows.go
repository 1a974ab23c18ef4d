package tray

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Messages and flags (WinUser.h, shellapi.h).
const (
	nimModify    = 0x00000001
	nifTip       = 0x00000004
	nifInfo      = 0x00000010
	niifInfo     = 0x00000001
	wmNull       = 0x0000
	wmCancelMode = 0x001F
)

var (
	shell32             = windows.NewLazySystemDLL("shell32.dll")
	procShellNotifyIcon = shell32.NewProc("Shell_NotifyIconW")
	user32              = windows.NewLazySystemDLL("user32.dll")
	procPostMessage     = user32.NewProc("PostMessageW")
)

// errNoTrayWindow means systray's window was not found: it is not up yet,
// or a new version of systray names it differently.
var errNoTrayWindow = errors.New("tray: the tray icon's window was not found")

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
		if err == nil && windows.UTF16ToString(class[:n]) == systrayWindowClass {
			found = hwnd
			return 0 // stop
		}
		return 1
	})
	windows.EnumWindows(cb, nil) //nolint:errcheck // stopping early reports an error
	if found == 0 {
		return 0, errNoTrayWindow
	}
	return found, nil
}

// modifyIcon changes what nid's flags name on the app's tray icon, with
// the C layout of NOTIFYICONDATAW.
func modifyIcon(nid *notifyIconData) error {
	wnd, err := trayWindow()
	if err != nil {
		return err
	}
	nid.Size = uint32(unsafe.Sizeof(*nid))
	nid.Wnd = uintptr(wnd)
	nid.ID = systrayIconID
	if ok, _, err := procShellNotifyIcon.Call(nimModify, uintptr(unsafe.Pointer(nid))); ok == 0 {
		return fmt.Errorf("Shell_NotifyIconW: %w", err)
	}
	return nil
}

// setTooltip sets the icon's tooltip, up to 127 characters. systray's own
// SetTooltip is never called: with its layout the tooltip is cut to 63
// characters, and once it has set one it sends it again with every new
// icon, over this one.
func setTooltip(text string) error {
	var nid notifyIconData
	nid.Flags = nifTip
	copyUTF16(nid.Tip[:], text)
	if err := modifyIcon(&nid); err != nil {
		return fmt.Errorf("tooltip: %w", err)
	}
	return nil
}

// ShowBalloon shows a notification from the tray icon: a balloon, or a
// toast on Windows 10 and later.
func ShowBalloon(title, text string) error {
	nid := notifyIconData{Flags: nifInfo, InfoFlags: niifInfo}
	copyUTF16(nid.InfoTitle[:], title)
	copyUTF16(nid.Info[:], text)
	if err := modifyIcon(&nid); err != nil {
		return fmt.Errorf("notification: %w", err)
	}
	return nil
}
