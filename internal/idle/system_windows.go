package idle

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32           = windows.NewLazySystemDLL("user32.dll")
	kernel32         = windows.NewLazySystemDLL("kernel32.dll")
	getLastInputInfo = user32.NewProc("GetLastInputInfo")
	getTickCount     = kernel32.NewProc("GetTickCount")
)

// lastInputInfo is LASTINPUTINFO.
type lastInputInfo struct {
	size uint32
	time uint32 // GetTickCount at the last input
}

// Open returns the idle time of the user's Windows session
// (GetLastInputInfo).
func Open(context.Context) (*System, error) {
	if err := getLastInputInfo.Find(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if err := getTickCount.Find(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return &System{name: "Windows GetLastInputInfo", idle: lastInput}, nil
}

func lastInput(context.Context) (time.Duration, error) {
	info := lastInputInfo{size: uint32(unsafe.Sizeof(lastInputInfo{}))}
	if ok, _, err := getLastInputInfo.Call(uintptr(unsafe.Pointer(&info))); ok == 0 {
		return 0, fmt.Errorf("GetLastInputInfo: %w", err)
	}
	now, _, _ := getTickCount.Call()
	return millis(uint64(sinceTick(uint32(now), info.time))), nil
}

// sinceTick is the milliseconds from tick then to tick now, both
// GetTickCount values, which wrap to zero every 49.7 days: the unsigned
// difference is right across a wrap.
func sinceTick(now, then uint32) uint32 { return now - then }
