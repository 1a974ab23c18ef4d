//go:build !linux && !freebsd && !openbsd && !netbsd

package resident

import (
	"context"
	"log/slog"
)

// followTrayHost: Windows and macOS always have a notification area, and
// systray puts the icon back in it when the shell restarts.
func followTrayHost(context.Context, *slog.Logger, <-chan struct{}, func(context.Context)) (string, <-chan string) {
	return "", nil
}
