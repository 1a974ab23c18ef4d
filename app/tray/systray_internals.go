package tray

// What the app relies on of fyne.io/systray beyond its API, in one place.
// TestSystrayInternals reads the module's source at the version go.mod
// pins and fails when any of this changes, so that a version bump is
// checked here rather than found on an agent's desk.
//
// On Linux and the BSDs, systray serves its StatusNotifierItem on the
// shared session-bus connection (dbus.SessionBus) at systrayItemPath,
// under the bus name systrayItemName gives, and registers it with the
// watcher by that path right after it has exported it, and again, once,
// when another watcher takes the watcher's name. A watcher that takes its
// name before it serves its object (gtk-sni-tray's) refuses that one call
// and the icon stays unregistered: Register does it again at the right
// moments (see exported_dbus.go). It serves the first menu request after
// it starts or its menu is reset (ResetMenu) one level deep, then tells
// the host the menu changed: GTK hosts (libdbusmenu-gtk) draw submenus
// empty when they get a whole menu at once. Every later host gets the
// whole menu, so the app makes its menu again when a host appears
// (Tray.Renew).
//
// On Windows, its icon sits on a hidden window of class
// systrayWindowClass, owned by this process, with icon ID systrayIconID:
// the tooltip, the menu and the balloons are sent to that icon
// (shell_windows.go). It puts the icon back when a new taskbar announces
// itself (TaskbarCreated) but forgets the tooltip then (taskbar_windows.go).
// It calls its exit callback on WM_ENDSESSION without reading wParam, so
// that message is no sign of a shutdown (the session/shutdown package has
// a window of its own for that). Its NOTIFYICONDATAW is 984 bytes, which
// Shell_NotifyIconW reads as the oldest layout (notifyicondata.go).
const (
	systrayModule      = "fyne.io/systray"
	systrayVersion     = "v1.12.2"
	systrayItemPath    = "/StatusNotifierItem"
	systrayItemNameFmt = "org.kde.StatusNotifierItem-%d-1" // the process ID
	systrayWindowClass = "SystrayClass"
	systrayIconID      = 100
)
