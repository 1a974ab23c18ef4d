package tray

import (
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
)

// waitItemExported waits (up to a second) until fyne.io/systray has put the
// item's properties on the session bus, which it does right after calling
// the ready callback.
func waitItemExported() {
	conn, err := dbus.SessionBus() // the connection systray itself uses
	if err != nil {
		return
	}
	item := conn.Object(fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid()), "/StatusNotifierItem")
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := item.GetProperty("org.kde.StatusNotifierItem.Id"); err == nil {
			return
		}
	}
}
