//go:build linux || freebsd || openbsd || netbsd

package tray

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
)

// The status-notifier watcher, where systray registers its item (see
// systray_internals.go).
const (
	watcherName = "org.kde.StatusNotifierWatcher"
	watcherPath = "/StatusNotifierWatcher"
)

// itemName is the bus name systray's item is served under.
func itemName() string { return fmt.Sprintf(systrayItemNameFmt, os.Getpid()) }

// Listed says whether the status-notifier watcher now on the session bus
// lists the tray's item. It must be called only once Run's Ready has been
// called: before, the item may not be on the bus yet.
func Listed(ctx context.Context) (bool, error) {
	conn, err := dbus.SessionBus() // the connection systray itself uses
	if err != nil {
		return false, fmt.Errorf("reading the items %s lists: %w", watcherName, err)
	}
	var listed dbus.Variant
	err = conn.Object(watcherName, watcherPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		watcherName, "RegisteredStatusNotifierItems").Store(&listed)
	if err != nil {
		return false, fmt.Errorf("reading the items %s lists: %w", watcherName, err)
	}
	items, _ := listed.Value().([]string)
	for _, it := range items {
		if isItem(it, conn.Names()) {
			return true, nil
		}
	}
	return false, nil
}

// Register registers the tray's item with the status-notifier watcher now
// on the session bus, as systray does: from systray's own connection and
// by path, so that a watcher told by both sees one item. Some watchers
// list a second registration as a second icon: ask Listed first. The
// watcher's host reads the menu as soon as it is told of the item, so the
// menu must be made again before (see Tray.Renew).
func Register(ctx context.Context) error {
	conn, err := dbus.SessionBus() // the connection systray itself uses
	if err != nil {
		return fmt.Errorf("registering the tray icon: %w", err)
	}
	call := conn.Object(watcherName, watcherPath).CallWithContext(ctx, watcherName+".RegisterStatusNotifierItem", 0, systrayItemPath)
	if call.Err != nil {
		return fmt.Errorf("registering the tray icon with %s: %w", watcherName, call.Err)
	}
	return nil
}

// isItem says whether a watcher's entry is this process's item: watchers
// list it as the connection's unique name or the item's bus name, with or
// without the path.
func isItem(entry string, names []string) bool {
	names = append(names, itemName())
	for _, n := range names {
		if entry == n || entry == n+systrayItemPath {
			return true
		}
	}
	return false
}

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
	item := conn.Object(itemName(), systrayItemPath)
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
