package testenv

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

const (
	idleMonitorName  = "org.gnome.Mutter.IdleMonitor"
	idleMonitorPath  = dbus.ObjectPath("/org/gnome/Mutter/IdleMonitor/Core")
	idleMonitorIface = "org.gnome.Mutter.IdleMonitor"
)

// FakeIdleMonitor is the part of GNOME's Mutter IdleMonitor the app uses:
// GetIdletime, the milliseconds since the user's last input. The user's
// input is the test's: Input for a key press, SetIdle to have been away
// for a while.
type FakeIdleMonitor struct {
	mu        sync.Mutex
	lastInput time.Time
	failing   bool
	calls     int
}

// StartFakeIdleMonitor serves a fake Mutter IdleMonitor on the bus at
// busAddr until the test ends. The user's last input is now.
func StartFakeIdleMonitor(t testing.TB, busAddr string) *FakeIdleMonitor {
	t.Helper()
	conn := ConnectBus(t, busAddr)
	f := &FakeIdleMonitor{lastInput: time.Now()}
	svc := idleMonitorService{f}
	if err := conn.Export(svc, idleMonitorPath, idleMonitorIface); err != nil {
		t.Fatal(err)
	}
	node := &introspect.Node{Name: string(idleMonitorPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData,
		{Name: idleMonitorIface, Methods: introspect.Methods(svc)},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), idleMonitorPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatal(err)
	}
	// Owned last: once the name appears, the object answers.
	if err := requestName(conn, idleMonitorName); err != nil {
		t.Fatal(err)
	}
	return f
}

// Input is the user pressing a key now.
func (f *FakeIdleMonitor) Input() { f.SetIdle(0) }

// SetIdle makes the user's last input d ago.
func (f *FakeIdleMonitor) SetIdle(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastInput = time.Now().Add(-d)
}

// SetFailing makes GetIdletime answer with an error, or answer again.
func (f *FakeIdleMonitor) SetFailing(failing bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = failing
}

// Calls is how many times GetIdletime was called.
func (f *FakeIdleMonitor) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// idleMonitorService holds the D-Bus methods, apart from the test's API.
type idleMonitorService struct{ f *FakeIdleMonitor }

func (s idleMonitorService) GetIdletime() (uint64, *dbus.Error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.calls++
	if s.f.failing {
		return 0, dbus.MakeFailedError(errors.New("the idle monitor is failing, as the test asked"))
	}
	return uint64(time.Since(s.f.lastInput) / time.Millisecond), nil
}
