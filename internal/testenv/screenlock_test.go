package testenv

import (
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// subscribe delivers the signals of iface.member on conn.
func subscribe(t *testing.T, conn *dbus.Conn, iface, member string) <-chan *dbus.Signal {
	t.Helper()
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(iface), dbus.WithMatchMember(member)); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 4)
	conn.Signal(ch)
	return ch
}

func nextSignal(t *testing.T, ch <-chan *dbus.Signal, name string) *dbus.Signal {
	t.Helper()
	for {
		select {
		case sig := <-ch:
			if sig.Name == name {
				return sig
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s", name)
		}
	}
}

// The fake logind's session is found as logind's is: its Id through the
// "auto" alias, its path from GetSession; its changes come on that path.
func TestFakeLogindSession(t *testing.T) {
	bus := StartBus(t)
	f := StartFakeLogind(t, bus, time.Second)
	app := ConnectBus(t, bus)
	changes := subscribe(t, app, "org.freedesktop.DBus.Properties", "PropertiesChanged")

	var id string
	if err := app.Object(logindName, autoSessionPath).StoreProperty(sessionIface+".Id", &id); err != nil || id != FakeSessionID {
		t.Fatalf("Id %q, %v; want %q", id, err, FakeSessionID)
	}
	var path dbus.ObjectPath
	if err := app.Object(logindName, logindPath).Call(logindIface+".GetSession", 0, id).Store(&path); err != nil || path != FakeSessionPath {
		t.Fatalf("GetSession(%q) = %q, %v; want %q", id, path, err, FakeSessionPath)
	}
	if err := app.Object(logindName, logindPath).Call(logindIface+".GetSession", 0, "c2").Err; err == nil {
		t.Error("GetSession of an unknown session succeeded")
	}
	lockedHint := func(at dbus.ObjectPath) bool {
		t.Helper()
		var locked bool
		if err := app.Object(logindName, at).StoreProperty(sessionIface+".LockedHint", &locked); err != nil {
			t.Fatal(err)
		}
		return locked
	}
	if lockedHint(path) || lockedHint(autoSessionPath) {
		t.Fatal("locked from the start")
	}

	if err := f.SetLockedHint(true); err != nil {
		t.Fatal(err)
	}
	sig := nextSignal(t, changes, "org.freedesktop.DBus.Properties.PropertiesChanged")
	if sig.Path != FakeSessionPath || len(sig.Body) != 3 || sig.Body[0] != sessionIface {
		t.Fatalf("signal %+v", sig)
	}
	if v := sig.Body[1].(map[string]dbus.Variant)["LockedHint"]; v.Value() != true {
		t.Errorf("changed %v, want LockedHint true", sig.Body[1])
	}
	if !lockedHint(path) || !lockedHint(autoSessionPath) {
		t.Error("LockedHint set but not read back on both paths")
	}
}

func TestFakeScreenSaver(t *testing.T) {
	bus := StartBus(t)
	for _, name := range []string{FreedesktopScreenSaver, GNOMEScreenSaver} {
		t.Run(name, func(t *testing.T) {
			s := StartScreenSaver(t, bus, name, true)
			app := ConnectBus(t, bus)
			changes := subscribe(t, app, name, "ActiveChanged")
			getActive := func() bool {
				t.Helper()
				var active bool
				if err := app.Object(name, s.path).Call(name+".GetActive", 0).Store(&active); err != nil {
					t.Fatal(err)
				}
				return active
			}
			if !getActive() {
				t.Fatal("started active, but GetActive says not")
			}
			if err := s.SetActive(false); err != nil {
				t.Fatal(err)
			}
			sig := nextSignal(t, changes, name+".ActiveChanged")
			if len(sig.Body) != 1 || sig.Body[0] != false {
				t.Errorf("body %v, want [false]", sig.Body)
			}
			if getActive() {
				t.Error("GetActive still says active")
			}
		})
	}
}
