package testenv

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

const (
	notificationsName  = "org.freedesktop.Notifications"
	notificationsPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notificationsIface = "org.freedesktop.Notifications"

	// closedByCall is the NotificationClosed reason for CloseNotification.
	closedByCall = uint32(3)
)

// Notification is what an application asked to show.
type Notification struct {
	AppName string
	Summary string
	Body    string
}

// Notifications is a fake desktop notification daemon that records every
// notification instead of showing it.
type Notifications struct {
	conn *dbus.Conn

	mu      sync.Mutex
	all     []Notification
	lastID  uint32
	changed chan struct{} // closed, and replaced, on each notification
}

// StartNotifications serves org.freedesktop.Notifications on the bus at
// busAddr, on its own connection, until the test ends.
func StartNotifications(t testing.TB, busAddr string) *Notifications {
	t.Helper()
	n := &Notifications{conn: ConnectBus(t, busAddr), changed: make(chan struct{})}
	if err := n.export(); err != nil {
		t.Fatalf("serving %s: %v", notificationsName, err)
	}
	// Owned last: once the name appears, the object is ready.
	if err := requestName(n.conn, notificationsName); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *Notifications) export() error {
	svc := notificationsService{n}
	if err := n.conn.Export(svc, notificationsPath, notificationsIface); err != nil {
		return fmt.Errorf("exporting methods: %w", err)
	}
	node := &introspect.Node{
		Name: string(notificationsPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			{
				Name:    notificationsIface,
				Methods: introspect.Methods(svc),
				Signals: []introspect.Signal{
					{Name: "NotificationClosed", Args: []introspect.Arg{{Type: "u"}, {Type: "u"}}},
					{Name: "ActionInvoked", Args: []introspect.Arg{{Type: "u"}, {Type: "s"}}},
				},
			},
		},
	}
	if err := n.conn.Export(introspect.NewIntrospectable(node), notificationsPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return fmt.Errorf("exporting introspection: %w", err)
	}
	return nil
}

// All returns every notification received so far, oldest first; a
// replacement counts as a new one.
func (n *Notifications) All() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notification(nil), n.all...)
}

// Wait returns the first notification received, earlier or within timeout,
// for which match is true, and fails the test if there is none.
func (n *Notifications) Wait(t testing.TB, timeout time.Duration, match func(Notification) bool) Notification {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		n.mu.Lock()
		all, changed := n.all, n.changed
		n.mu.Unlock()
		// all is never modified in place, only appended to, so it can be
		// read without the lock; match runs unlocked and may call All.
		for _, got := range all {
			if match(got) {
				return got
			}
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for a matching notification; received %d:%s",
				timeout, len(all), describe(all))
		}
	}
}

func describe(all []Notification) string {
	var b strings.Builder
	for _, got := range all {
		fmt.Fprintf(&b, "\n\t%s: %q %q", got.AppName, got.Summary, got.Body)
	}
	return b.String()
}

func (n *Notifications) add(replacesID uint32, got Notification) uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, got)
	close(n.changed)
	n.changed = make(chan struct{})
	// A replacement keeps the id of the notification it replaces, if that
	// one exists; otherwise it is new, as the specification says.
	if replacesID != 0 && replacesID <= n.lastID {
		return replacesID
	}
	n.lastID++
	return n.lastID
}

// notificationsService holds the methods exported on the bus, so that the
// Go methods of Notifications never become D-Bus methods.
type notificationsService struct{ n *Notifications }

// Notify records a notification and returns its id.
func (s notificationsService) Notify(appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32,
) (uint32, *dbus.Error) {
	return s.n.add(replacesID, Notification{AppName: appName, Summary: summary, Body: body}), nil
}

// GetCapabilities claims only what a minimal server must support.
func (s notificationsService) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body"}, nil
}

// GetServerInformation returns name, vendor, version and specification
// version.
func (s notificationsService) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "testenv", "ucontact-tray", "1.0", "1.2", nil
}

// CloseNotification announces the notification closed, as a real server
// does; the recorded history is kept.
func (s notificationsService) CloseNotification(id uint32) *dbus.Error {
	err := s.n.conn.Emit(notificationsPath, notificationsIface+".NotificationClosed", id, closedByCall)
	if err != nil {
		return dbus.MakeFailedError(fmt.Errorf("emitting NotificationClosed: %w", err))
	}
	return nil
}
