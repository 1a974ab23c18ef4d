package tray

import (
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
)

// applyWhenExported waits until fyne.io/systray has put the item's
// properties on the session bus (it does so right after calling the ready
// callback; the title set before that becomes the item's Id), then runs
// apply, which sets the title to title among the rest, until the title
// reads back, and then once more. Properties can be read a moment before
// systray takes changes to them, and it drops what is set in between: the
// icon, title and tooltip would stay blank until the state changed.
func applyWhenExported(title string, apply func()) {
	conn, err := dbus.SessionBus() // the connection systray itself uses
	if err != nil {
		apply()
		return
	}
	item := conn.Object(fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid()), "/StatusNotifierItem")
	deadline := time.Now().Add(2 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := item.GetProperty("org.kde.StatusNotifierItem.Id"); err == nil {
			break
		}
	}
	for ; ; time.Sleep(5 * time.Millisecond) {
		apply()
		v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
		if err == nil && v.Value() == title {
			// Taken: so is all that follows. What apply set before the
			// title (the icon) may have been dropped: set it again.
			apply()
			return
		}
		if time.Now().After(deadline) {
			return
		}
	}
}
