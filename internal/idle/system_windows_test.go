package idle

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

func TestSinceTickAcrossTheWrap(t *testing.T) {
	for _, tc := range []struct{ now, then, want uint32 }{
		{5000, 1000, 4000},
		{1000, 0xFFFFFC18, 2000}, // input 1 s before the wrap, now 1 s after
		{7, 7, 0},
	} {
		if got := sinceTick(tc.now, tc.then); got != tc.want {
			t.Errorf("sinceTick(%d, %d) = %d, want %d", tc.now, tc.then, got, tc.want)
		}
	}
}

// mouseMove is INPUT holding a MOUSEINPUT that moves the pointer by a pixel.
type mouseMove struct {
	kind      uint32 // INPUT_MOUSE
	_         uint32
	dx, dy    int32
	mouseData uint32
	flags     uint32 // MOUSEEVENTF_MOVE
	time      uint32
	extraInfo uintptr
}

var sendInput = user32.NewProc("SendInput")

func moveMouse(t *testing.T) {
	t.Helper()
	in := mouseMove{kind: 0, dx: 1, dy: 1, flags: 0x0001}
	if n, _, err := sendInput.Call(1, uintptr(unsafe.Pointer(&in)), unsafe.Sizeof(in)); n != 1 {
		t.Fatalf("SendInput: %v", err)
	}
}

func TestLastInputGrowsAndResetsWithInput(t *testing.T) {
	if size := unsafe.Sizeof(mouseMove{}); size != 40 {
		t.Fatalf("INPUT is %d bytes, want 40", size)
	}
	src, err := Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	moveMouse(t)
	first, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Long enough for GetTickCount, which counts in steps of about 16 ms,
	// to move; only the order of the readings is asserted.
	time.Sleep(100 * time.Millisecond)
	second, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second <= first {
		t.Errorf("idle %v, then %v with no input: want it to grow", first, second)
	}
	moveMouse(t)
	third, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if third >= second {
		t.Errorf("idle %v after the mouse moved, want less than the %v before", third, second)
	}
}
