package tray

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unsafe"
)

// The layout is mingw-w64's for 64-bit Windows (sizeof and offsetof of
// NOTIFYICONDATAW, printed by a C program built with
// x86_64-w64-mingw32-gcc): a size Shell_NotifyIconW does not know makes it
// drop the balloon's text.
func TestNotifyIconDataIsTheCLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the app is built for 64-bit Windows only")
	}
	var nid notifyIconData
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof", unsafe.Sizeof(nid), 976},
		{"szTip", unsafe.Offsetof(nid.Tip), 40},
		{"szInfo", unsafe.Offsetof(nid.Info), 304},
		{"uTimeout/uVersion", unsafe.Offsetof(nid.TimeoutOrVersion), 816},
		{"szInfoTitle", unsafe.Offsetof(nid.InfoTitle), 820},
		{"dwInfoFlags", unsafe.Offsetof(nid.InfoFlags), 948},
		{"hBalloonIcon", unsafe.Offsetof(nid.BalloonIcon), 968},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestCopyUTF16(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"fits", "ñu", "ñu"},
		{"exactly full", "abc", "abc"},
		{"cut", "abcdef", "abc"},
		{"a pair not split", "ab😀", "ab"},
		{"a NUL ends it", "a\x00bc", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]uint16, 4)
			for i := range dst {
				dst[i] = 'x' // what was there before
			}
			copyUTF16(dst, tt.in)
			n := 0
			for n < len(dst) && dst[n] != 0 {
				n++
			}
			if n == len(dst) {
				t.Fatalf("%q: no NUL in %v", tt.in, dst)
			}
			if got := string(utf16.Decode(dst[:n])); got != tt.want {
				t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	long := strings.Repeat("é", 300)
	var nid notifyIconData
	copyUTF16(nid.Tip[:], long)
	if nid.Tip[126] != 'é' || nid.Tip[127] != 0 {
		t.Errorf("a long tooltip keeps 127 characters and its NUL: %v", nid.Tip[120:])
	}
}
