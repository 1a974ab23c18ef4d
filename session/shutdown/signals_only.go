//go:build (darwin && !cgo) || (unix && !linux && !darwin)

package shutdown

import "log/slog"

// platformSources where the app knows no OS mechanism but the signals: a
// Mac build without cgo, and the BSDs (a logoff there stops programs with
// SIGTERM or SIGHUP, as on Linux).
func platformSources(log *slog.Logger) []source {
	return []source{&signals{log: log}}
}
