package testenv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

const (
	logindName  = "org.freedesktop.login1"
	logindPath  = dbus.ObjectPath("/org/freedesktop/login1")
	logindIface = "org.freedesktop.login1.Manager"

	sessionIface    = "org.freedesktop.login1.Session"
	autoSessionPath = dbus.ObjectPath("/org/freedesktop/login1/session/auto")
)

// The one session the fake logind knows, the caller's: logind escapes a
// leading digit of an id in its object path.
const (
	FakeSessionID   = "31"
	FakeSessionPath = dbus.ObjectPath("/org/freedesktop/login1/session/_31")
)

// Lock is one inhibitor lock the fake logind handed out.
type Lock struct {
	What, Who, Why, Mode string
	Taken, Released      time.Time // Released is zero while it is held

	reader, writer *os.File
}

// FakeLogind is the part of org.freedesktop.login1.Manager the app uses:
// Inhibit (handing out a pipe's write end as the lock, as logind does, and
// seeing it close), InhibitDelayMaxUSec, PrepareForShutdown,
// PrepareForSleep and GetSession; and one session (FakeSessionPath, also
// reachable as session/auto) with its Id and LockedHint, whose changes are
// announced on its own path only, as logind does. Serve it on a private
// "system" bus and point the app at it with DBUS_SYSTEM_BUS_ADDRESS.
type FakeLogind struct {
	conn *dbus.Conn
	// session and auto are the session's properties on its own path and on
	// the alias.
	session, auto *prop.Properties

	mu      sync.Mutex
	locks   []*Lock
	changed chan struct{} // closed, and replaced, on each change
}

// StartFakeLogind serves a fake logind with the given inhibit delay on the
// bus at busAddr until the test ends.
func StartFakeLogind(t testing.TB, busAddr string, delay time.Duration) *FakeLogind {
	t.Helper()
	f := &FakeLogind{conn: ConnectBus(t, busAddr), changed: make(chan struct{})}
	if err := f.conn.Export(logindService{f}, logindPath, logindIface); err != nil {
		t.Fatal(err)
	}
	props, err := prop.Export(f.conn, logindPath, prop.Map{logindIface: {
		"InhibitDelayMaxUSec": {Value: uint64(delay / time.Microsecond), Emit: prop.EmitConst},
	}})
	if err != nil {
		t.Fatal(err)
	}
	node := &introspect.Node{Name: string(logindPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{Name: logindIface, Methods: introspect.Methods(logindService{f}), Properties: props.Introspection(logindIface)},
	}}
	if err := f.conn.Export(introspect.NewIntrospectable(node), logindPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatal(err)
	}
	if err := f.exportSession(); err != nil {
		t.Fatal(err)
	}
	if err := requestName(f.conn, logindName); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, l := range f.locks {
			l.writer.Close()
			l.reader.Close()
		}
	})
	return f
}

// exportSession serves the session on its path and on the alias. Changes
// are emitted by SetLockedHint, on the session's path.
func (f *FakeLogind) exportSession() error {
	for _, p := range []struct {
		path dbus.ObjectPath
		to   **prop.Properties
	}{{FakeSessionPath, &f.session}, {autoSessionPath, &f.auto}} {
		props, err := prop.Export(f.conn, p.path, prop.Map{sessionIface: {
			"Id":         {Value: FakeSessionID, Emit: prop.EmitConst},
			"LockedHint": {Value: false, Emit: prop.EmitFalse},
		}})
		if err != nil {
			return fmt.Errorf("serving the session at %s: %w", p.path, err)
		}
		*p.to = props
	}
	return nil
}

// SetLockedHint sets the session's LockedHint, as a screen locker does,
// and emits PropertiesChanged on the session's path (even when the value
// is the same, which logind would not).
func (f *FakeLogind) SetLockedHint(locked bool) error {
	f.auto.SetMust(sessionIface, "LockedHint", locked)
	f.session.SetMust(sessionIface, "LockedHint", locked)
	return f.EmitSessionChange(sessionIface, map[string]dbus.Variant{"LockedHint": dbus.MakeVariant(locked)}, []string{})
}

// EmitSessionChange emits PropertiesChanged on the session's path with the
// body given, which need not be one logind would send.
func (f *FakeLogind) EmitSessionChange(body ...any) error {
	if err := f.conn.Emit(FakeSessionPath, "org.freedesktop.DBus.Properties.PropertiesChanged", body...); err != nil {
		return fmt.Errorf("emitting the session's PropertiesChanged: %w", err)
	}
	return nil
}

// logindService holds the D-Bus methods, apart from the test's API.
type logindService struct{ f *FakeLogind }

// GetSession finds a session by id: "auto" is the caller's.
func (s logindService) GetSession(id string) (dbus.ObjectPath, *dbus.Error) {
	if id != FakeSessionID && id != "auto" {
		return "", dbus.NewError("org.freedesktop.login1.NoSuchSession", []any{"No session '" + id + "' known"})
	}
	return FakeSessionPath, nil
}

// Inhibit hands out the write end of a pipe: the lock is held while any copy
// of it is open.
func (s logindService) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	r, w, err := os.Pipe()
	if err != nil {
		return -1, dbus.MakeFailedError(err)
	}
	fd := dbus.UnixFD(w.Fd())
	l := &Lock{What: what, Who: who, Why: why, Mode: mode, Taken: time.Now(), reader: r, writer: w}
	s.f.mu.Lock()
	s.f.locks = append(s.f.locks, l)
	s.f.mu.Unlock()
	go s.f.watch(l)
	s.f.notify()
	return fd, nil
}

// watch notes when every copy of the lock's fd is closed.
func (f *FakeLogind) watch(l *Lock) {
	io.Copy(io.Discard, l.reader) //nolint:errcheck // EOF or closed: either way it is released
	f.mu.Lock()
	l.Released = time.Now()
	f.mu.Unlock()
	f.notify()
}

func (f *FakeLogind) notify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.changed)
	f.changed = make(chan struct{})
}

// deliveryGrace is how old a lock must be before the fake closes its own
// copy of the fd: the reply that carries it is sent after Inhibit returns,
// at a moment the fake cannot observe, and within microseconds.
const deliveryGrace = 200 * time.Millisecond

// dropOwnCopies closes the fake's copies of the fds it handed out (once
// surely delivered), so that only the app's copy keeps a lock.
func (f *FakeLogind) dropOwnCopies() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.locks {
		if time.Since(l.Taken) >= deliveryGrace {
			l.writer.Close()
		}
	}
}

// Locks returns a copy of every lock handed out, oldest first.
func (f *FakeLogind) Locks() []Lock {
	f.dropOwnCopies()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Lock, len(f.locks))
	for i, l := range f.locks {
		out[i] = Lock{What: l.What, Who: l.Who, Why: l.Why, Mode: l.Mode, Taken: l.Taken, Released: l.Released}
	}
	return out
}

// Held counts the locks of what (e.g. "shutdown") that are held now.
func (f *FakeLogind) Held(what string) int {
	n := 0
	for _, l := range f.Locks() {
		if l.What == what && l.Released.IsZero() {
			n++
		}
	}
	return n
}

// WaitHeld waits until exactly n locks of what are held.
func (f *FakeLogind) WaitHeld(t testing.TB, what string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		f.mu.Lock()
		changed := f.changed
		f.mu.Unlock()
		if f.Held(what) == n {
			return
		}
		select {
		case <-changed:
		case <-time.After(50 * time.Millisecond): // dropOwnCopies may be what releases
		case <-deadline:
			t.Fatalf("%d %q locks held after %v, want %d: %+v", f.Held(what), what, timeout, n, f.Locks())
		}
	}
}

// LastReleased is when the last lock of what was released; zero if one is
// still held or none was taken.
func (f *FakeLogind) LastReleased(what string) time.Time {
	var last time.Time
	for _, l := range f.Locks() {
		if l.What != what {
			continue
		}
		if l.Released.IsZero() {
			return time.Time{}
		}
		if l.Released.After(last) {
			last = l.Released
		}
	}
	return last
}

// PrepareForShutdown emits the signal and returns when it was sent. Locks
// taken in the last deliveryGrace are held by the fake too until then.
func (f *FakeLogind) PrepareForShutdown(start bool) (time.Time, error) {
	return f.emit("PrepareForShutdown", start)
}

// PrepareForSleep emits the signal and returns when it was sent.
func (f *FakeLogind) PrepareForSleep(start bool) (time.Time, error) {
	return f.emit("PrepareForSleep", start)
}

func (f *FakeLogind) emit(member string, start bool) (time.Time, error) {
	f.mu.Lock()
	var youngest time.Time
	for _, l := range f.locks {
		if l.Taken.After(youngest) {
			youngest = l.Taken
		}
	}
	f.mu.Unlock()
	time.Sleep(time.Until(youngest.Add(deliveryGrace))) // so the app's copy is the only one
	f.dropOwnCopies()
	at := time.Now()
	if err := f.conn.Emit(logindPath, logindIface+"."+member, start); err != nil {
		return at, fmt.Errorf("emitting %s: %w", member, err)
	}
	return at, nil
}

// ErrNoLock is returned by WaitReleased when nothing of that kind was taken.
var ErrNoLock = errors.New("no lock of that kind was taken")

// WaitReleased waits until no lock of what is held, and returns when the
// last one was released.
func (f *FakeLogind) WaitReleased(what string, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		taken := false
		for _, l := range f.Locks() {
			taken = taken || l.What == what
		}
		if !taken {
			return time.Time{}, ErrNoLock
		}
		if at := f.LastReleased(what); !at.IsZero() {
			return at, nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%q lock still held after %v", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
