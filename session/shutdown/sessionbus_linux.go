package shutdown

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// screenSavers are the session-bus interfaces whose ActiveChanged(bool)
// says the screen saver (with its lock) came on or went off: the
// freedesktop one (KDE, Xfce, Cinnamon, MATE…) and GNOME's. Desktops whose
// locker leaves logind's LockedHint alone are heard through them.
var screenSavers = []struct {
	iface string
	path  dbus.ObjectPath
}{
	{"org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"},
	{"org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"},
}

// sessionBus follows the screen savers on the D-Bus session bus, and
// reports SessionEnding when the bus goes away under the app: the desktop
// session is being torn down (a logoff that sent no signal, a display
// server that died), and the tray is gone with it.
type sessionBus struct {
	log *slog.Logger
}

func (s *sessionBus) run(ctx context.Context, w *Watcher) {
	conn, err := s.connect()
	if err != nil {
		s.log.Info("session bus: none; screen savers are not followed", "err", err)
		return // no session bus to lose
	}
	defer conn.Close()
	for _, saver := range screenSavers {
		if err := conn.AddMatchSignal(dbus.WithMatchInterface(saver.iface), dbus.WithMatchMember("ActiveChanged")); err != nil {
			s.log.Warn("session bus: not following a screen saver", "interface", saver.iface, "err", err)
		}
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	s.readActive(ctx, w, conn)
	s.log.Info("session bus: watching")
	for {
		select {
		case <-ctx.Done():
			return
		case <-conn.Context().Done():
			if ctx.Err() == nil {
				w.send(ctx, Notice{Kind: SessionEnding, Source: "session bus gone", Deadline: deadlineWithin(0)})
			}
			return
		case sig, ok := <-signals:
			if !ok {
				signals = nil // closed with the connection: its Done follows
				continue
			}
			s.activeChanged(ctx, w, sig)
		}
	}
}

func (s *sessionBus) connect() (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, err
	}
	if err = conn.Auth(nil); err == nil {
		err = conn.Hello()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// readActive reports the screen locked if a screen saver is on already
// (the app started at a locked screen). One that is not running is no
// error: most desktops run one of the two at most.
func (s *sessionBus) readActive(ctx context.Context, w *Watcher, conn *dbus.Conn) {
	callCtx, cancel := context.WithTimeout(ctx, busCallTimeout)
	defer cancel()
	for _, saver := range screenSavers {
		var active bool
		err := conn.Object(saver.iface, saver.path).CallWithContext(callCtx, saver.iface+".GetActive", dbus.FlagNoAutoStart).Store(&active)
		if err != nil {
			s.log.Debug("session bus: no screen saver", "interface", saver.iface, "err", err)
			continue
		}
		s.log.Info("session bus: following a screen saver", "interface", saver.iface, "active", active)
		if active {
			w.screenLocked(ctx, true, saver.iface)
		}
	}
}

// activeChanged reports a screen saver's ActiveChanged(bool).
func (s *sessionBus) activeChanged(ctx context.Context, w *Watcher, sig *dbus.Signal) {
	for _, saver := range screenSavers {
		if sig.Name != saver.iface+".ActiveChanged" {
			continue
		}
		// A body that is not one boolean says nothing: read as false, it
		// would pass for an unlock.
		active, ok := oneBool(sig)
		if !ok {
			s.log.Warn("session bus: a screen saver's signal with an unexpected body; ignored", "signal", sig.Name, "body", sig.Body)
			return
		}
		w.screenLocked(ctx, active, saver.iface)
		return
	}
}

func (s *sessionBus) hold(bool) {}
