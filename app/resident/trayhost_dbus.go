//go:build linux || freebsd || openbsd || netbsd

package resident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/godbus/dbus/v5"

	"ucontact-tray/app/tray"
)

// The status-notifier watcher: the service a panel runs, with which items
// register and through which hosts (the panels) find them.
const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	watcherIface = "org.kde.StatusNotifierWatcher"
)

const (
	// startWait is how long a desktop that starts its panel alongside the
	// autostart gets before the window takes the tray's place. A panel
	// that comes later still gets the icon: the window then steps back.
	startWait = 2 * time.Second
	// hostGrace is how long the tray may be without a host before the
	// window takes its place again: a panel that restarts is back within
	// it, and the agent sees no window come and go.
	hostGrace = 5 * time.Second
	// busCallTimeout bounds one call to the watcher: a panel that hangs
	// must not hang the app's following of the next one.
	busCallTimeout = 2 * time.Second
	// watcherStartTimeout bounds the wait for a watcher that owns its name
	// to serve its object.
	watcherStartTimeout = 3 * time.Second
	// hostSettle is how long a watcher or host that just appeared is left
	// to itself before the icon is registered with it. A host reads the
	// watcher's items and builds its bar right after it registers, and an
	// item registered in that moment can be added twice: gtk-sni-tray
	// shows two icons then, each with its own copy of the menu, and the
	// second copy draws the submenus empty. Registered 1 ms after the
	// host, the icon was doubled in 10 of 16 panel starts; 100 ms after,
	// in none of 16. Three times that leaves room for a loaded machine.
	hostSettle = 300 * time.Millisecond
)

// hostFollower follows the status-notifier watcher on the session bus by
// its signals alone, on a connection of its own: systray's shared one
// hands every signal it receives to systray too.
type hostFollower struct {
	log       *slog.Logger
	conn      *dbus.Conn
	signals   chan *dbus.Signal
	renewMenu func(context.Context) // for a host that appeared (see announce)
}

// followTrayHost says why no tray icon can be shown now ("" if one can),
// giving a host that is starting startWait to appear, and then sends each
// change of that reason until ctx ends. Once itemUp is closed (the tray's
// item is on the bus), every watcher that appears or replaces another, and
// every host that registers with one, gets the item once it has settled
// (hostSettle), with its menu made again by renewMenu (see announce).
func followTrayHost(ctx context.Context, log *slog.Logger, itemUp <-chan struct{}, renewMenu func(context.Context)) (string, <-chan string) {
	if _, err := dbus.SessionBus(); err != nil { // the connection systray will use
		log.Warn("no session bus", "err", err)
		return noTrayBus, nil
	}
	f, err := newHostFollower(log)
	if err != nil {
		log.Warn("no session bus", "err", err)
		return noTrayBus, nil
	}
	host := f.hostRegistered(ctx)
	if !host {
		host = f.awaitHost(ctx, startWait)
	}
	if !host {
		log.Warn("no status-notifier host on the session bus")
	}
	changes := make(chan string)
	f.renewMenu = renewMenu
	go f.run(ctx, host, itemUp, changes)
	return reasonFor(host), changes
}

func reasonFor(host bool) string {
	if host {
		return ""
	}
	return noTrayHost
}

func newHostFollower(log *slog.Logger) (*hostFollower, error) {
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		return nil, fmt.Errorf("connecting to the session bus: %w", err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("authenticating on the session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting the session bus: %w", err)
	}
	f := &hostFollower{log: log, conn: conn, signals: make(chan *dbus.Signal, 16)}
	conn.Signal(f.signals)
	rules := [][]dbus.MatchOption{
		{
			dbus.WithMatchSender("org.freedesktop.DBus"),
			dbus.WithMatchInterface("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, watcherName),
		},
		// A host of an existing watcher coming and going (a panel restarting
		// under a watcher that another process keeps, as on KDE).
		{dbus.WithMatchInterface(watcherIface), dbus.WithMatchMember("StatusNotifierHostRegistered")},
		{dbus.WithMatchInterface(watcherIface), dbus.WithMatchMember("StatusNotifierHostUnregistered")},
	}
	for _, rule := range rules {
		if err := conn.AddMatchSignal(rule...); err != nil {
			conn.Close()
			return nil, fmt.Errorf("following %s: %w", watcherName, err)
		}
	}
	return f, nil
}

// hostRegistered asks the watcher, if there is one, whether a host is
// registered with it.
func (f *hostFollower) hostRegistered(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, busCallTimeout)
	defer cancel()
	var v dbus.Variant
	err := f.conn.Object(watcherName, watcherPath).CallWithContext(ctx,
		"org.freedesktop.DBus.Properties.Get", 0, watcherIface, "IsStatusNotifierHostRegistered").Store(&v)
	if err != nil {
		return false // no watcher, or one that does not answer: no host to show the icon
	}
	host, ok := v.Value().(bool)
	return ok && host
}

// awaitHost waits up to d for a host to appear, and reports whether one did.
func (f *hostFollower) awaitHost(ctx context.Context, d time.Duration) bool {
	timeout := time.NewTimer(d)
	defer timeout.Stop()
	for {
		select {
		case sig := <-f.signals:
			if f.hostAfter(ctx, sig, false) {
				return true
			}
		case <-timeout.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// hostAfter says whether there is a host after sig, given whether there
// was one before it.
func (f *hostFollower) hostAfter(ctx context.Context, sig *dbus.Signal, before bool) bool {
	switch sig.Name {
	case "org.freedesktop.DBus.NameOwnerChanged":
		if !watcherAppeared(sig) {
			return false // the watcher is gone, and its hosts with it
		}
		return f.hostRegistered(ctx)
	case watcherIface + ".StatusNotifierHostRegistered":
		return true
	case watcherIface + ".StatusNotifierHostUnregistered":
		return f.hostRegistered(ctx)
	}
	return before
}

// watcherAppeared says whether sig is a new watcher taking the name.
func watcherAppeared(sig *dbus.Signal) bool {
	if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) != 3 {
		return false
	}
	owner, _ := sig.Body[2].(string)
	return owner != ""
}

// run follows the watcher until ctx ends. reported is the host's presence
// as last sent on changes; a loss is sent only once it has lasted
// hostGrace, an arrival at once. No timer runs while nothing changes.
func (f *hostFollower) run(ctx context.Context, reported bool, itemUp <-chan struct{}, changes chan<- string) {
	defer close(changes)
	defer f.conn.Close()
	host, up := reported, false
	grace := newOneShot()
	defer grace.stop()
	// A watcher or host that appears and does not list the icon is told of
	// it once it has settled (see hostSettle); why says what appeared last.
	settle := newOneShot()
	defer settle.stop()
	var why string
	// A watcher that has taken the name but does not serve its object yet
	// (gtk-sni-tray's, a moment after its start) is asked again, a few
	// times and soon, as nothing on the bus says when it is ready.
	retry := newOneShot()
	defer retry.stop()
	var retryDelay time.Duration
	var retryUntil time.Time
	tell := func() {
		if f.announce(ctx, why, true) == errWatcherNotReady && time.Now().Before(retryUntil) {
			retryDelay *= 2
			retry.start(retryDelay)
			return
		}
		host = f.hostRegistered(ctx) // it may not have answered before
	}
	appeared := func(what string) {
		why = what
		retry.stop()
		if f.renewIfListed(ctx, why) {
			settle.stop()
			return
		}
		settle.start(hostSettle)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-itemUp:
			itemUp, up = nil, true
			// A watcher that came between systray's own registration and
			// now has not been told.
			f.announce(ctx, "the tray is up", false) //nolint:errcheck // logged; the next watcher or host that appears is told
		case sig := <-f.signals:
			if up {
				switch {
				case watcherAppeared(sig):
					appeared("a status-notifier watcher appeared")
				case sig.Name == watcherIface+".StatusNotifierHostRegistered":
					appeared("a status-notifier host appeared")
				case sig.Name == "org.freedesktop.DBus.NameOwnerChanged": // the watcher is gone
					retry.stop()
					settle.stop()
				}
			}
			host = f.hostAfter(ctx, sig, host)
		case <-settle.c:
			settle.clear()
			retryDelay, retryUntil = 10*time.Millisecond, time.Now().Add(watcherStartTimeout)
			tell()
		case <-retry.c:
			retry.clear()
			tell()
		case <-grace.c:
			grace.clear()
			reported = false
			f.log.Warn("the status-notifier host is gone; the window takes the tray's place", "after", hostGrace)
			if !send(ctx, changes, noTrayHost) {
				return
			}
			continue
		}
		switch {
		case host && grace.running():
			grace.stop()
			f.log.Info("the status-notifier host is back")
		case host && !reported:
			reported = true
			f.log.Info("a status-notifier host appeared; the icon is in the tray")
			if !send(ctx, changes, "") {
				return
			}
		case !host && reported && !grace.running():
			f.log.Info("the status-notifier host is gone; waiting for it to come back", "grace", hostGrace)
			grace.start(hostGrace)
		}
	}
}

// oneShot is a timer that exists only while it runs: c is nil otherwise,
// so that a select on it waits for nothing.
type oneShot struct {
	t *time.Timer
	c <-chan time.Time
}

func newOneShot() *oneShot { return &oneShot{} }

func (o *oneShot) start(d time.Duration) {
	o.stop()
	o.t = time.NewTimer(d)
	o.c = o.t.C
}

func (o *oneShot) stop() {
	if o.t != nil {
		o.t.Stop()
	}
	o.clear()
}

// clear forgets a timer that has fired.
func (o *oneShot) clear()        { o.t, o.c = nil, nil }
func (o *oneShot) running() bool { return o.t != nil }

// errWatcherNotReady means the watcher owns its name but does not serve
// its object yet.
var errWatcherNotReady = errors.New("the status-notifier watcher does not serve its object yet")

// renewIfListed makes the menu again if the watcher now on the bus lists
// the tray's item already, and reports whether it does: a watcher kept
// apart from its panel (KDE's) still lists it when a panel restarts, and
// systray registers the item again by itself with a watcher that takes the
// name. The new host reads the menu at once, and a GTK one draws the
// submenus of a whole menu empty (see tray.Tray.Renew); made again, the
// menu is read anew, one level first.
func (f *hostFollower) renewIfListed(ctx context.Context, why string) bool {
	ctx, cancel := context.WithTimeout(ctx, busCallTimeout)
	defer cancel()
	if listed, err := tray.Listed(ctx); err != nil || !listed {
		return false
	}
	f.renewMenu(ctx)
	f.log.Debug("tray icon already registered; its menu made again", "why", why)
	return true
}

// announce makes sure the watcher now on the bus lists the tray's item,
// with the menu made again first when it does not (its host reads the menu
// as soon as it is told of the item, and must get it as the first host
// did; see tray.Tray.Renew), and also when it does if forNewHost (see
// renewIfListed).
func (f *hostFollower) announce(ctx context.Context, why string, forNewHost bool) error {
	ctx, cancel := context.WithTimeout(ctx, busCallTimeout)
	defer cancel()
	listed, err := tray.Listed(ctx)
	if err == nil && (forNewHost || !listed) {
		f.renewMenu(ctx)
	}
	if err == nil && !listed {
		err = tray.Register(ctx)
	}
	var de dbus.Error
	if errors.As(err, &de) && (de.Name == "org.freedesktop.DBus.Error.UnknownObject" || de.Name == "org.freedesktop.DBus.Error.UnknownMethod") {
		return errWatcherNotReady
	}
	switch {
	case err != nil:
		f.log.Info("tray icon not registered", "why", why, "err", err)
	case !listed:
		f.log.Info("tray icon registered", "why", why)
	case forNewHost:
		f.log.Debug("tray icon already registered; its menu made again", "why", why)
	}
	return err
}

func send(ctx context.Context, changes chan<- string, reason string) bool {
	select {
	case changes <- reason:
		return true
	case <-ctx.Done():
		return false
	}
}
