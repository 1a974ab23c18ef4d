//go:build !linux

package resident

import "log/slog"

// trayUnavailable: Windows and macOS always have a notification area.
func trayUnavailable(*slog.Logger) string { return "" }
