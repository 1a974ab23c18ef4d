package testenv

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// The screen savers' names, each also its interface.
const (
	FreedesktopScreenSaver = "org.freedesktop.ScreenSaver"
	GNOMEScreenSaver       = "org.gnome.ScreenSaver"
)

// ScreenSaver is a fake screen saver on a session bus: it owns its name,
// answers GetActive and emits ActiveChanged(bool) when the test says the
// screen locks or unlocks.
type ScreenSaver struct {
	conn  *dbus.Conn
	iface string
	path  dbus.ObjectPath

	mu     sync.Mutex
	active bool
}

// StartScreenSaver serves the screen saver name (FreedesktopScreenSaver or
// GNOMEScreenSaver) on the bus at busAddr, on its own connection, until
// the test ends. It starts inactive unless active says otherwise.
func StartScreenSaver(t testing.TB, busAddr, name string, active bool) *ScreenSaver {
	t.Helper()
	s := &ScreenSaver{
		conn:   ConnectBus(t, busAddr),
		iface:  name,
		path:   dbus.ObjectPath("/" + strings.ReplaceAll(name, ".", "/")),
		active: active,
	}
	if err := s.export(); err != nil {
		t.Fatalf("serving %s: %v", name, err)
	}
	// Owned last: once the name appears, the object is ready.
	if err := requestName(s.conn, name); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *ScreenSaver) export() error {
	svc := screenSaverService{s}
	if err := s.conn.Export(svc, s.path, s.iface); err != nil {
		return fmt.Errorf("exporting methods: %w", err)
	}
	node := &introspect.Node{
		Name: string(s.path),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			{
				Name:    s.iface,
				Methods: introspect.Methods(svc),
				Signals: []introspect.Signal{{Name: "ActiveChanged", Args: []introspect.Arg{{Type: "b"}}}},
			},
		},
	}
	if err := s.conn.Export(introspect.NewIntrospectable(node), s.path, "org.freedesktop.DBus.Introspectable"); err != nil {
		return fmt.Errorf("exporting introspection: %w", err)
	}
	return nil
}

// SetActive turns the screen saver (and its lock) on or off and emits
// ActiveChanged, even when nothing changed.
func (s *ScreenSaver) SetActive(active bool) error {
	s.mu.Lock()
	s.active = active
	s.mu.Unlock()
	return s.EmitActiveChanged(active)
}

// EmitActiveChanged emits ActiveChanged with the body given, which need
// not be the one boolean a screen saver sends.
func (s *ScreenSaver) EmitActiveChanged(body ...any) error {
	if err := s.conn.Emit(s.path, s.iface+".ActiveChanged", body...); err != nil {
		return fmt.Errorf("emitting %s.ActiveChanged: %w", s.iface, err)
	}
	return nil
}

// screenSaverService holds the D-Bus methods, apart from the test's API.
type screenSaverService struct{ s *ScreenSaver }

// GetActive says whether the screen saver is on.
func (svc screenSaverService) GetActive() (bool, *dbus.Error) {
	svc.s.mu.Lock()
	defer svc.s.mu.Unlock()
	return svc.s.active, nil
}
