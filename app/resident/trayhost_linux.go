package resident

import (
	"log/slog"
	"time"

	"github.com/godbus/dbus/v5"
)

// Reasons there is no tray icon, as control.Info.NoTray carries them.
const (
	noTrayBus  = "no-bus"  // no session bus: systray would crash
	noTrayHost = "no-host" // no status-notifier host: the icon would be invisible
)

// trayUnavailable says why no tray icon can be shown, or "" if one can. A
// desktop that starts its panel after the autostart gets two seconds.
func trayUnavailable(log *slog.Logger) string {
	conn, err := dbus.SessionBus()
	if err != nil {
		log.Warn("no session bus", "err", err)
		return noTrayBus
	}
	watcher := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		v, err := watcher.GetProperty("org.kde.StatusNotifierWatcher.IsStatusNotifierHostRegistered")
		if err == nil {
			if host, ok := v.Value().(bool); ok && host {
				return ""
			}
		}
		if time.Now().After(deadline) {
			log.Warn("no status-notifier host on the session bus", "err", err)
			return noTrayHost
		}
	}
}
