//go:build darwin && !cgo

package shutdown

import "log/slog"

// platformSources without cgo: the signals only.
func platformSources(log *slog.Logger) []source {
	return []source{&signals{log: log}}
}
