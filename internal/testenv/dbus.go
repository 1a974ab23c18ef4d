package testenv

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// waitForName polls the bus until name has an owner.
func waitForName(ctx context.Context, busAddr, name string) error {
	conn, err := dbus.Connect(busAddr)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", busAddr, err)
	}
	defer conn.Close()
	for {
		var has bool
		err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		if err == nil && has {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s has no owner: %w", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
