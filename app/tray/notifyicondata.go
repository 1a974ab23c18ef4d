package tray

import "unicode/utf16"

// notifyIconData is the Windows NOTIFYICONDATAW structure as C lays it out
// (shellapi.h): 976 bytes on 64-bit Windows. uTimeout and uVersion are one
// union in C, so they are one field here. Shell_NotifyIconW checks cbSize
// against the sizes it knows, and takes any other as the Windows 95 layout:
// no balloon text, a tooltip cut to 64 characters. (fyne.io/systray
// declares them as two fields, 984 bytes, and gets exactly that.)
//
// It is declared for every platform, with handles as uintptr, so that the
// unit tests check its layout wherever they run.
type notifyIconData struct {
	Size             uint32
	Wnd              uintptr // HWND
	ID               uint32
	Flags            uint32
	CallbackMessage  uint32
	Icon             uintptr // HICON
	Tip              [128]uint16
	State            uint32
	StateMask        uint32
	Info             [256]uint16
	TimeoutOrVersion uint32
	InfoTitle        [64]uint16
	InfoFlags        uint32
	GUIDItem         [16]byte
	BalloonIcon      uintptr // HICON
}

// copyUTF16 copies s into one of notifyIconData's fixed NUL-terminated
// fields, cut to fit, never in the middle of a character.
func copyUTF16(dst []uint16, s string) {
	u := utf16.Encode([]rune(s))
	if len(u) >= len(dst) {
		u = u[:len(dst)-1]
		if n := len(u); n > 0 && u[n-1] >= 0xD800 && u[n-1] < 0xDC00 {
			u = u[:n-1] // the first half of a surrogate pair
		}
	}
	dst[copy(dst, u)] = 0
}
