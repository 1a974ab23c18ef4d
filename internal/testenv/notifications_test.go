package testenv

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// notify sends a notification the way libnotify does and returns its id.
func notify(t *testing.T, conn *dbus.Conn, replacesID uint32, summary, body string) uint32 {
	t.Helper()
	var id uint32
	err := conn.Object(notificationsName, notificationsPath).Call(notificationsIface+".Notify", 0,
		"ucontact", replacesID, "dialog-information", summary, body,
		[]string{"default", "Open"}, map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}, int32(-1),
	).Store(&id)
	if err != nil {
		t.Fatalf("Notify(%q): %v", summary, err)
	}
	return id
}

func TestNotificationsRecordsAndWaits(t *testing.T) {
	bus := StartBus(t)
	n := StartNotifications(t, bus)
	app := ConnectBus(t, bus)

	if id := notify(t, app, 0, "Signed in", "as ana"); id != 1 {
		t.Errorf("first id %d, want 1", id)
	}
	if id := notify(t, app, 1, "Signed in", "as ana (updated)"); id != 1 {
		t.Errorf("replacement got id %d, want the replaced 1", id)
	}
	if id := notify(t, app, 0, "Call", "from 555"); id != 2 {
		t.Errorf("next id %d, want 2", id)
	}
	want := []Notification{
		{AppName: "ucontact", Summary: "Signed in", Body: "as ana"},
		{AppName: "ucontact", Summary: "Signed in", Body: "as ana (updated)"},
		{AppName: "ucontact", Summary: "Call", Body: "from 555"},
	}
	if got := n.All(); !reflect.DeepEqual(got, want) {
		t.Errorf("All() = %+v\nwant %+v", got, want)
	}

	// Already received: Wait returns at once.
	got := n.Wait(t, time.Second, func(x Notification) bool { return x.Summary == "Call" })
	if got.Body != "from 555" {
		t.Errorf("Wait found %+v", got)
	}
	// Not yet sent: Wait blocks until it arrives.
	go func() {
		time.Sleep(100 * time.Millisecond)
		// A failed call shows up as Wait timing out.
		app.Object(notificationsName, notificationsPath).Call(notificationsIface+".Notify", 0,
			"ucontact", uint32(0), "", "Signed out", "", []string{}, map[string]dbus.Variant{}, int32(0))
	}()
	got = n.Wait(t, 5*time.Second, func(x Notification) bool { return x.Summary == "Signed out" })
	if got.AppName != "ucontact" {
		t.Errorf("Wait found %+v", got)
	}

	msg := fatalMessage(t, func(tb testing.TB) {
		n.Wait(tb, 100*time.Millisecond, func(x Notification) bool { return x.Summary == "Never" })
	})
	if !strings.Contains(msg, "timed out after 100ms") || !strings.Contains(msg, `"from 555"`) {
		t.Errorf("Wait timeout message lacks the timeout or what was received: %q", msg)
	}
}

func TestNotificationsServerMethods(t *testing.T) {
	bus := StartBus(t)
	StartNotifications(t, bus)
	app := ConnectBus(t, bus)
	obj := app.Object(notificationsName, notificationsPath)

	var caps []string
	if err := obj.Call(notificationsIface+".GetCapabilities", 0).Store(&caps); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(caps, []string{"body"}) {
		t.Errorf("GetCapabilities() = %q", caps)
	}
	var name, vendor, version, spec string
	if err := obj.Call(notificationsIface+".GetServerInformation", 0).Store(&name, &vendor, &version, &spec); err != nil {
		t.Fatal(err)
	}
	if name == "" || spec != "1.2" {
		t.Errorf("GetServerInformation() = %q %q %q %q", name, vendor, version, spec)
	}

	if err := app.AddMatchSignal(dbus.WithMatchInterface(notificationsIface), dbus.WithMatchMember("NotificationClosed")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 1)
	app.Signal(signals)
	id := notify(t, app, 0, "Bye", "")
	if err := obj.Call(notificationsIface+".CloseNotification", 0, id).Err; err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-signals:
		if s.Name != notificationsIface+".NotificationClosed" || !reflect.DeepEqual(s.Body, []any{id, closedByCall}) {
			t.Errorf("got signal %s%v, want NotificationClosed[%d 3]", s.Name, s.Body, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no NotificationClosed signal")
	}

	var xml string
	if err := obj.Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(xml, `name="Notify"`) || strings.Contains(xml, `name="Wait"`) {
		t.Errorf("introspection wrong:\n%s", xml)
	}
}
