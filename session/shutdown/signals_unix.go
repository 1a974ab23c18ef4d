//go:build unix

package shutdown

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// signals turns SIGTERM, SIGHUP and SIGINT into SessionEnding: what a logoff
// sends (systemd stops the session's processes with SIGTERM; a closing
// terminal, SIGHUP), and Ctrl+C.
type signals struct {
	log *slog.Logger
}

func (s *signals) run(ctx context.Context, w *Watcher) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	defer signal.Stop(ch)
	for {
		select {
		case sig := <-ch:
			w.send(ctx, Notice{Kind: SessionEnding, Source: sig.String(), Deadline: deadlineWithin(0)})
		case <-ctx.Done():
			return
		}
	}
}

// hold: a signal holds nothing back; the process has until SIGKILL.
func (s *signals) hold(bool) {}
