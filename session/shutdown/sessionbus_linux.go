package shutdown

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// sessionBus reports SessionEnding when the D-Bus session bus goes away
// under the app: the desktop session is being torn down (a logoff that sent
// no signal, a display server that died), and the tray is gone with it.
type sessionBus struct {
	log *slog.Logger
}

func (s *sessionBus) run(ctx context.Context, w *Watcher) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return // no session bus to lose
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return
	}
	if err := conn.Hello(); err != nil {
		return
	}
	select {
	case <-ctx.Done():
	case <-conn.Context().Done():
		if ctx.Err() == nil {
			w.send(ctx, Notice{Kind: SessionEnding, Source: "session bus gone", Deadline: deadlineWithin(0)})
		}
	}
}

func (s *sessionBus) hold(bool) {}
