package shutdown

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	logindName  = "org.freedesktop.login1"
	logindPath  = dbus.ObjectPath("/org/freedesktop/login1")
	logindIface = "org.freedesktop.login1.Manager"

	// sessionIface is a logind session's; the "auto" object is this
	// process's session or else the user's display session. It is an alias:
	// logind emits the changes on the session's own path only.
	sessionIface    = "org.freedesktop.login1.Session"
	autoSessionPath = dbus.ObjectPath("/org/freedesktop/login1/session/auto")

	propertiesChanged = "org.freedesktop.DBus.Properties.PropertiesChanged"
)

// absentRetry is how often logind is looked for again where it is not
// running (a desktop without systemd, a container): it could start later,
// but seldom does, and looking costs next to nothing.
const absentRetry = 5 * time.Minute

// systemBusSockets are where the system bus listens when
// DBUS_SYSTEM_BUS_ADDRESS does not say: the D-Bus specification's place,
// and the one most distributions link it to.
var systemBusSockets = []string{"/var/run/dbus/system_bus_socket", "/run/dbus/system_bus_socket"}

// busCallTimeout bounds a call made while setting up: a peer that never
// answers must not keep the watch from starting.
const busCallTimeout = 5 * time.Second

// What the delay locks are for; also the logind "what" strings.
const (
	lockShutdown = "shutdown"
	lockSleep    = "sleep"
)

func platformSources(log *slog.Logger) []source {
	return []source{
		&logind{log: log, locks: map[string]*os.File{}, absentRetry: absentRetry, sockets: systemBusSockets},
		&signals{log: log},
		&sessionBus{log: log},
	}
}

// logind follows systemd-logind on the system bus: PrepareForShutdown and
// PrepareForSleep, with a delay lock for each while a session is open, and
// the LockedHint of the user's session (set by GNOME's and KDE's lockers). The
// system bus address comes from DBUS_SYSTEM_BUS_ADDRESS when set, which is
// how tests put a fake logind in its place.
type logind struct {
	log *slog.Logger

	mu      sync.Mutex
	conn    *dbus.Conn
	holding bool
	locks   map[string]*os.File // held delay locks, by what they delay
	delay   time.Duration       // InhibitDelayMaxUSec

	// absentRetry is how long to wait before looking for a logind that
	// is not running.
	absentRetry time.Duration
	// sockets are where to look for the system bus when the environment
	// does not give its address.
	sockets []string

	saidNoSession bool // logged once; only run's goroutine touches it
}

// run keeps a connection to logind, reconnecting if the bus drops. Where
// there is no logind at all, that is said once, at info: it is how such a
// desktop is, not a failure, and the other sources still hear of a
// shutdown. A logind that cannot be reached is warned of at each try.
func (l *logind) run(ctx context.Context, w *Watcher) {
	backoff := time.Second
	saidAbsent := false
	for ctx.Err() == nil {
		err := l.follow(ctx, w)
		if ctx.Err() != nil {
			break
		}
		wait := backoff
		var absent *absentError
		switch {
		case errors.As(err, &absent) && !saidAbsent:
			saidAbsent = true
			wait = l.absentRetry
			l.log.Info("logind: not running; shutdowns and suspends are heard of without it", "err", err, "next_look_in", wait)
		case errors.As(err, &absent):
			wait = l.absentRetry
			l.log.Debug("logind: still not running", "err", err, "next_look_in", wait)
		default:
			l.log.Warn("logind: not reachable; trying again", "err", err, "in", backoff)
			backoff = min(backoff*2, time.Minute)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	l.releaseAll()
}

// absentError means logind is not there: there is no system bus, or no
// one on it answers to logind's name (nor can be started to).
type absentError struct{ err error }

func (e *absentError) Error() string { return e.err.Error() }
func (e *absentError) Unwrap() error { return e.err }

// systemBusAddress is the system bus's address: from the environment, or
// the first of l.sockets that exists. A machine without one (a container,
// a desktop without a system bus) is an absentError's case, told apart
// here because the D-Bus library says so in words only.
func (l *logind) systemBusAddress() (string, error) {
	if address := os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"); address != "" {
		return address, nil
	}
	for _, path := range l.sockets {
		if _, err := os.Stat(path); err == nil {
			return "unix:path=" + path, nil
		}
	}
	return "", fmt.Errorf("system bus: no DBUS_SYSTEM_BUS_ADDRESS, and no socket at %v", l.sockets)
}

// busAbsent tells a system bus that does not exist (no socket, or no one
// listening on it) from one that fails.
func busAbsent(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}

// nameAbsent tells a call that failed because no one owns logind's name
// from one that logind failed.
func nameAbsent(err error) bool {
	var name string
	var de dbus.Error
	var dp *dbus.Error
	switch {
	case errors.As(err, &de):
		name = de.Name
	case errors.As(err, &dp):
		name = dp.Name
	}
	return name == "org.freedesktop.DBus.Error.ServiceUnknown" || name == "org.freedesktop.DBus.Error.NameHasNoOwner"
}

// follow serves one connection until it drops or ctx ends.
func (l *logind) follow(ctx context.Context, w *Watcher) error {
	address, err := l.systemBusAddress()
	if err != nil {
		return &absentError{err}
	}
	conn, err := dbus.Connect(address)
	if err != nil {
		err = fmt.Errorf("system bus: %w", err)
		if busAbsent(err) {
			return &absentError{err}
		}
		return err
	}
	defer conn.Close()
	for _, member := range []string{"PrepareForShutdown", "PrepareForSleep"} {
		if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(logindPath),
			dbus.WithMatchInterface(logindIface), dbus.WithMatchMember(member)); err != nil {
			return fmt.Errorf("subscribing to %s: %w", member, err)
		}
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)

	// The first call to logind: the bus starts it if it can, and says if
	// no one has its name.
	var delay time.Duration
	if v, err := conn.Object(logindName, logindPath).GetProperty(logindIface + ".InhibitDelayMaxUSec"); err == nil {
		if us, ok := v.Value().(uint64); ok {
			delay = time.Duration(us) * time.Microsecond
		}
	} else if nameAbsent(err) {
		return &absentError{fmt.Errorf("system bus: %w", err)}
	} else {
		l.log.Warn("logind: InhibitDelayMaxUSec unknown", "err", err)
	}
	session := l.followSession(ctx, w, conn)
	l.mu.Lock()
	l.conn, l.delay = conn, delay
	holding := l.holding
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.conn = nil
		l.mu.Unlock()
		l.releaseAll() // the fds are worthless without the connection's logind
	}()
	// Subscribed first, locked second: no announcement can slip between.
	if holding {
		l.take(lockShutdown)
		l.take(lockSleep)
	}
	l.log.Info("logind: watching", "inhibit_delay_max", delay)

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-conn.Context().Done():
			return conn.Context().Err()
		case sig, ok := <-signals:
			if !ok || sig == nil {
				return fmt.Errorf("signal channel closed")
			}
			if session != "" && sig.Path == session && sig.Name == propertiesChanged {
				l.sessionChanged(ctx, w, sig)
				continue
			}
			l.handle(ctx, w, sig)
		}
	}
}

func (l *logind) handle(ctx context.Context, w *Watcher, sig *dbus.Signal) {
	if sig.Name != logindIface+".PrepareForShutdown" && sig.Name != logindIface+".PrepareForSleep" {
		return
	}
	// A body that is not the one boolean logind sends says nothing: read
	// as false, it would pass for a cancelled shutdown or a wake-up.
	start, ok := oneBool(sig)
	if !ok {
		l.log.Warn("logind: a signal with an unexpected body; ignored", "signal", sig.Name, "body", sig.Body)
		return
	}
	l.mu.Lock()
	delay := l.delay
	l.mu.Unlock()
	switch sig.Name {
	case logindIface + ".PrepareForShutdown":
		if start {
			w.send(ctx, Notice{Kind: SessionEnding, Source: "logind", Deadline: deadlineWithin(delay),
				done: once(func() { l.release(lockShutdown) })})
		} else {
			// The shutdown was cancelled: be ready for the next one.
			l.retake(lockShutdown)
		}
	case logindIface + ".PrepareForSleep":
		if start {
			w.send(ctx, Notice{Kind: Suspending, Source: "logind", Deadline: deadlineWithin(delay),
				done: once(func() { l.release(lockSleep) })})
		} else {
			l.retake(lockSleep)
			w.send(ctx, Notice{Kind: Resumed, Source: "logind"})
		}
	}
}

// followSession subscribes to the changes of the user's logind session and
// reports it locked if it is already (the app started at a locked screen).
// It returns the session's path, or "" when there is none to follow.
func (l *logind) followSession(ctx context.Context, w *Watcher, conn *dbus.Conn) dbus.ObjectPath {
	callCtx, cancel := context.WithTimeout(ctx, busCallTimeout)
	defer cancel()
	path, err := sessionPath(callCtx, conn)
	if err == nil {
		// Subscribed before the first read: no change can slip between.
		err = conn.AddMatchSignal(dbus.WithMatchObjectPath(path),
			dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged"),
			dbus.WithMatchArg(0, sessionIface))
	}
	var locked bool
	if err == nil {
		err = conn.Object(logindName, path).CallWithContext(callCtx, "org.freedesktop.DBus.Properties.Get", 0,
			sessionIface, "LockedHint").Store(&locked)
	}
	if err != nil {
		if !l.saidNoSession {
			l.saidNoSession = true
			l.log.Warn("logind: no session to follow; screen locks are heard from screen savers only", "err", err)
		}
		return ""
	}
	l.log.Info("logind: following the session", "session", path, "locked", locked)
	if locked {
		w.screenLocked(ctx, true, "LockedHint")
	}
	return path
}

// sessionPath is the path of the session "auto" stands for.
func sessionPath(ctx context.Context, conn *dbus.Conn) (dbus.ObjectPath, error) {
	var id string
	err := conn.Object(logindName, autoSessionPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		sessionIface, "Id").Store(&id)
	if err != nil {
		return "", fmt.Errorf("the session's id: %w", err)
	}
	var path dbus.ObjectPath
	if err := conn.Object(logindName, logindPath).CallWithContext(ctx, logindIface+".GetSession", 0, id).Store(&path); err != nil {
		return "", fmt.Errorf("the path of session %q: %w", id, err)
	}
	return path, nil
}

// sessionChanged reports LockedHint from a PropertiesChanged of the
// session: (interface, changed properties, invalidated names).
func (l *logind) sessionChanged(ctx context.Context, w *Watcher, sig *dbus.Signal) {
	var iface string
	var changed map[string]dbus.Variant
	ok := len(sig.Body) == 3
	if ok {
		iface, ok = sig.Body[0].(string)
	}
	if ok {
		changed, ok = sig.Body[1].(map[string]dbus.Variant)
	}
	if !ok {
		l.log.Warn("logind: a session change with an unexpected body; ignored", "body", sig.Body)
		return
	}
	v, has := changed["LockedHint"]
	if iface != sessionIface || !has {
		return // another property
	}
	locked, ok := v.Value().(bool)
	if !ok {
		l.log.Warn("logind: a LockedHint that is not a boolean; ignored", "value", v)
		return
	}
	w.screenLocked(ctx, locked, "LockedHint")
}

// oneBool is the boolean a signal's body holds, and whether it is just that.
func oneBool(sig *dbus.Signal) (v, ok bool) {
	if len(sig.Body) != 1 {
		return false, false
	}
	v, ok = sig.Body[0].(bool)
	return v, ok
}

func (l *logind) hold(open bool) {
	l.mu.Lock()
	changed := l.holding != open
	l.holding = open
	l.mu.Unlock()
	if !changed {
		return
	}
	if open {
		l.take(lockShutdown)
		l.take(lockSleep)
	} else {
		l.releaseAll()
	}
}

// retake takes what's lock again if a session is still open.
func (l *logind) retake(what string) {
	l.mu.Lock()
	holding := l.holding
	l.mu.Unlock()
	if holding {
		l.take(what)
	}
}

// take asks logind for a delay lock, without holding l.mu across the call.
func (l *logind) take(what string) {
	l.mu.Lock()
	conn, have := l.conn, l.locks[what] != nil
	l.mu.Unlock()
	if conn == nil || have {
		return
	}
	var fd dbus.UnixFD
	err := conn.Object(logindName, logindPath).Call(logindIface+".Inhibit", 0,
		what, "ucontact-tray", "Finalizando la sesión de uContact", "delay").Store(&fd)
	if err != nil {
		l.log.Warn("logind: no delay lock", "what", what, "err", err)
		return
	}
	f := os.NewFile(uintptr(fd), "logind-"+what+"-lock")
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.holding || l.locks[what] != nil || l.conn != conn {
		f.Close() // the world moved on during the call
		return
	}
	l.locks[what] = f
	l.log.Info("logind: delay lock taken", "what", what)
}

// release lets logind go on: closing the fd is how it learns.
func (l *logind) release(what string) {
	l.mu.Lock()
	f := l.locks[what]
	delete(l.locks, what)
	l.mu.Unlock()
	if f != nil {
		f.Close()
		l.log.Info("logind: delay lock released", "what", what)
	}
}

func (l *logind) releaseAll() {
	l.release(lockShutdown)
	l.release(lockSleep)
}
