//go:build linux || freebsd || openbsd || netbsd

package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	notifyName = "org.freedesktop.Notifications"
	notifyPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// Desktop sends notifications to the desktop's notification server
// (org.freedesktop.Notifications) on the session bus.
type Desktop struct {
	AppName string
}

var _ Replacer = Desktop{}

// Notify shows one notification. It fails, rather than waits, when no
// notification server answers before ctx ends.
func (d Desktop) Notify(ctx context.Context, summary, body string) error {
	_, err := d.Replace(ctx, 0, summary, body, 0)
	return err
}

// Replace shows a notification in place of id (the server's replaces_id),
// with expire as its expire_timeout.
func (d Desktop) Replace(ctx context.Context, id uint32, summary, body string, expire time.Duration) (uint32, error) {
	conn, err := dbus.SessionBus()
	if err != nil {
		return 0, fmt.Errorf("notification: %w", err)
	}
	timeout := int32(-1) // the server's default
	if expire > 0 {
		timeout = int32(min(expire.Milliseconds(), 1<<31-1))
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	var newID uint32
	err = conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyName+".Notify", 0,
		d.AppName, id, "", summary, body, []string{}, hints, timeout).Store(&newID)
	if err != nil {
		return 0, fmt.Errorf("notification: %w", err)
	}
	return newID, nil
}

// Close withdraws the notification id (CloseNotification).
func (d Desktop) Close(ctx context.Context, id uint32) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("closing a notification: %w", err)
	}
	call := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyName+".CloseNotification", 0, id)
	if call.Err != nil {
		return fmt.Errorf("closing a notification: %w", call.Err)
	}
	return nil
}
