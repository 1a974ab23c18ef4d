//go:build linux || freebsd || openbsd || netbsd

package notify

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// Desktop sends notifications to the desktop's notification server
// (org.freedesktop.Notifications) on the session bus.
type Desktop struct {
	AppName string
}

// Notify shows one notification. It fails, rather than waits, when no
// notification server answers before ctx ends.
func (d Desktop) Notify(ctx context.Context, summary, body string) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("notification: %w", err)
	}
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	call := obj.CallWithContext(ctx, "org.freedesktop.Notifications.Notify", 0,
		d.AppName, uint32(0), "", summary, body, []string{}, hints, int32(-1))
	if call.Err != nil {
		return fmt.Errorf("notification: %w", call.Err)
	}
	return nil
}
