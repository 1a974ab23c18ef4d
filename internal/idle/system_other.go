//go:build !linux && !freebsd && !openbsd && !netbsd && !windows

package idle

import (
	"context"
	"fmt"
	"runtime"
)

// Open fails with ErrUnavailable: on macOS the idle time
// (CGEventSourceSecondsSinceLastEventType) needs cgo, which the tray app is
// built without, and other systems have no source here.
func Open(context.Context) (*System, error) {
	return nil, fmt.Errorf("%w: not on %s without cgo", ErrUnavailable, runtime.GOOS)
}
