//go:build linux || freebsd || openbsd || netbsd

package idle

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/screensaver"
	"github.com/jezek/xgb/xproto"
)

// GNOME's idle monitor, which Mutter (the GNOME Shell compositor) serves
// on X11 and on Wayland. GetIdletime answers in milliseconds.
const (
	mutterName   = "org.gnome.Mutter.IdleMonitor"
	mutterPath   = dbus.ObjectPath("/org/gnome/Mutter/IdleMonitor/Core")
	mutterMethod = "org.gnome.Mutter.IdleMonitor.GetIdletime"
)

// screenSaverExt is the X extension that counts the time since the last
// input (ScreenSaverQueryInfo's ms_since_user_input).
const screenSaverExt = "MIT-SCREEN-SAVER"

// Open finds the desktop's idle time: GNOME's Mutter on the session bus,
// else the X server on $DISPLAY (not in a Wayland session). It fails with
// ErrUnavailable when there is neither.
func Open(ctx context.Context) (*System, error) {
	// The connection the tray already has: asking costs no new one.
	conn, err := dbus.SessionBus()
	if err != nil {
		conn = nil
	}
	return open(ctx, conn, os.Getenv)
}

// open is Open with the session bus (nil when there is none) and the
// environment given.
func open(ctx context.Context, conn *dbus.Conn, getenv func(string) string) (*System, error) {
	noMutter := "no session bus"
	if conn != nil {
		var has bool
		err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, mutterName).Store(&has)
		switch {
		case err != nil:
			noMutter = fmt.Sprintf("asking the session bus for %s: %v", mutterName, err)
		case has:
			return &System{name: "GNOME Mutter IdleMonitor", idle: mutter(conn)}, nil
		default:
			noMutter = "no " + mutterName + " on the session bus"
		}
	}
	if getenv("WAYLAND_DISPLAY") != "" || getenv("XDG_SESSION_TYPE") == "wayland" {
		return nil, fmt.Errorf("%w: a Wayland session with %s (the X server of a Wayland session misses input to other windows)", ErrUnavailable, noMutter)
	}
	display := getenv("DISPLAY")
	if display == "" {
		return nil, fmt.Errorf("%w: %s, and no X display", ErrUnavailable, noMutter)
	}
	x := x11{display: display}
	if _, err := x.idle(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s, and %w", ErrUnavailable, noMutter, err)
	}
	return &System{name: screenSaverExt + " on X display " + display, idle: x.idle}, nil
}

// mutter reads the idle time from GNOME's Mutter.
func mutter(conn *dbus.Conn) func(context.Context) (time.Duration, error) {
	obj := conn.Object(mutterName, mutterPath)
	return func(ctx context.Context) (time.Duration, error) {
		var ms uint64
		if err := obj.CallWithContext(ctx, mutterMethod, 0).Store(&ms); err != nil {
			return 0, fmt.Errorf("asking GNOME's Mutter for the idle time: %w", err)
		}
		return millis(ms), nil
	}
}

// x11 reads the idle time from an X server. Each reading opens a
// connection of its own and closes it: nothing is held between two
// readings, so a server that went away costs nothing until the next one,
// and no events pile up unread on an idle connection.
type x11 struct {
	display string
}

func (x x11) idle(ctx context.Context) (time.Duration, error) {
	type result struct {
		idle time.Duration
		err  error
	}
	// xgb takes no context: a server that does not answer leaves the
	// query behind, to end when the server does.
	done := make(chan result, 1)
	go func() {
		idle, err := x.query()
		done <- result{idle, err}
	}()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case r := <-done:
		return r.idle, r.err
	}
}

func (x x11) query() (time.Duration, error) {
	conn, err := xgb.NewConnDisplay(x.display)
	if err != nil {
		return 0, fmt.Errorf("connecting to X display %s: %w", x.display, err)
	}
	defer closeX(conn)
	// What screensaver.Init does, minus filling in xgb's process-wide
	// table of event decoders, which it writes without a lock (a data race
	// with any other connection) and which only matters for the
	// extension's events, never asked for here.
	ext, err := xproto.QueryExtension(conn, uint16(len(screenSaverExt)), screenSaverExt).Reply()
	if err != nil {
		return 0, fmt.Errorf("asking X display %s for %s: %w", x.display, screenSaverExt, err)
	}
	if !ext.Present {
		return 0, fmt.Errorf("no %s extension on X display %s", screenSaverExt, x.display)
	}
	conn.ExtLock.Lock()
	conn.Extensions[screenSaverExt] = ext.MajorOpcode
	conn.ExtLock.Unlock()

	root := xproto.Setup(conn).DefaultScreen(conn).Root
	info, err := screensaver.QueryInfo(conn, xproto.Drawable(root)).Reply()
	if err != nil {
		return 0, fmt.Errorf("asking X display %s for the idle time: %w", x.display, err)
	}
	return millis(uint64(info.MsSinceUserInput)), nil
}

// closeX closes conn and waits until xgb's goroutines for it have ended
// (Close only asks them to), so that no reading leaves anything behind.
func closeX(conn *xgb.Conn) {
	conn.Close()
	for {
		// Both nil once the connection is closed; nothing else is queued,
		// since no events were asked for.
		if ev, err := conn.WaitForEvent(); ev == nil && err == nil {
			return
		}
	}
}
