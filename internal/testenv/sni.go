package testenv

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// Names from the StatusNotifierItem and dbusmenu specifications.
const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	itemPath     = dbus.ObjectPath("/StatusNotifierItem")
	menuIface    = "com.canonical.dbusmenu"
)

// ConnectBus opens a private connection to the bus at addr, closed when the
// test ends. Private, so that what a test exports or owns on it cannot leak
// into other tests through the shared session-bus connection.
func ConnectBus(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connecting to bus %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Watcher is a minimal org.kde.StatusNotifierWatcher, the service a panel
// runs: tray libraries (fyne.io/systray) register their item with it, and a
// test learns from it where the item lives on the bus.
type Watcher struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu      sync.Mutex
	items   []Item        // every registration, in order, so none is lost
	next    int           // index in items of what WaitItem returns next
	changed chan struct{} // closed, and replaced, on each registration
}

// StartWatcher serves a StatusNotifierWatcher on the bus at busAddr, on its
// own connection, until the test ends. It reports a host as registered, so
// items believe a panel is showing them.
func StartWatcher(t testing.TB, busAddr string) *Watcher {
	t.Helper()
	conn := ConnectBus(t, busAddr)
	w := &Watcher{conn: conn, changed: make(chan struct{})}
	if err := w.export(); err != nil {
		t.Fatalf("serving %s: %v", watcherName, err)
	}
	// Owned last: once the name appears, the whole object is ready.
	if err := requestName(conn, watcherName); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *Watcher) export() error {
	// RegisteredStatusNotifierItems changes are announced by the
	// StatusNotifierItemRegistered signal, as the specification says, not by
	// PropertiesChanged: with EmitFalse, SetMust cannot fail (and panic in a
	// bus handler) when the connection closes as the test ends.
	props, err := prop.Export(w.conn, watcherPath, prop.Map{watcherIface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitFalse},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitConst},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitConst},
	}})
	if err != nil {
		return fmt.Errorf("exporting properties: %w", err)
	}
	w.props = props
	// Methods after properties: a registration updates the properties.
	svc := watcherService{w}
	if err := w.conn.Export(svc, watcherPath, watcherIface); err != nil {
		return fmt.Errorf("exporting methods: %w", err)
	}
	node := &introspect.Node{
		Name: string(watcherPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{
				Name:       watcherIface,
				Methods:    introspect.Methods(svc),
				Properties: props.Introspection(watcherIface),
				Signals: []introspect.Signal{
					{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Type: "s"}}},
					{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Type: "s"}}},
					{Name: "StatusNotifierHostRegistered"},
				},
			},
		},
	}
	if err := w.conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return fmt.Errorf("exporting introspection: %w", err)
	}
	return nil
}

// WaitItem returns the next item that registered, in order of registration,
// waiting up to timeout for one. Items registered before the call count:
// the first call returns the first item ever registered. The Item uses the
// watcher's connection.
func (w *Watcher) WaitItem(t testing.TB, timeout time.Duration) *Item {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		if w.next < len(w.items) {
			item := w.items[w.next]
			w.next++
			w.mu.Unlock()
			return &item
		}
		changed := w.changed
		w.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for a StatusNotifierItem to register", timeout)
		}
	}
}

// register records an item and announces it the way a real watcher does.
func (w *Watcher) register(item Item) error {
	w.mu.Lock()
	w.items = append(w.items, item)
	registered := make([]string, len(w.items))
	for i, it := range w.items {
		registered[i] = it.String()
	}
	// Under w.mu, so concurrent registrations cannot publish lists out of order.
	w.props.SetMust(watcherIface, "RegisteredStatusNotifierItems", registered)
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()

	if err := w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", item.String()); err != nil {
		return fmt.Errorf("emitting StatusNotifierItemRegistered: %w", err)
	}
	return nil
}

// watcherService holds the methods exported on the bus, so that Watcher's
// own Go methods never become D-Bus methods.
type watcherService struct{ w *Watcher }

// RegisterStatusNotifierItem accepts the three forms in use: a bus name
// (the item is at /StatusNotifierItem), an object path on the caller's
// connection (what fyne.io/systray sends), or "busname/path".
func (s watcherService) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	item := Item{Conn: s.w.conn, Dest: service, Path: itemPath}
	if i := strings.IndexByte(service, '/'); i == 0 {
		item.Dest, item.Path = string(sender), dbus.ObjectPath(service)
	} else if i > 0 {
		item.Dest, item.Path = service[:i], dbus.ObjectPath(service[i:])
	}
	if !item.Path.IsValid() {
		return dbus.MakeFailedError(fmt.Errorf("invalid object path in %q", service))
	}
	if err := s.w.register(item); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

// RegisterStatusNotifierHost is accepted and ignored: the host is always
// reported as registered.
func (s watcherService) RegisterStatusNotifierHost(service string) *dbus.Error {
	return nil
}

// requestName makes conn the primary owner of name, failing if someone else
// already owns it rather than queueing behind them.
func requestName(conn *dbus.Conn, name string) error {
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("requesting name %s: %w", name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("requesting name %s: not the primary owner (reply %d)", name, reply)
	}
	return nil
}

// Item is a client for one StatusNotifierItem and its dbusmenu, reading
// and clicking it the way a panel does.
type Item struct {
	Conn *dbus.Conn
	Dest string // the bus name that serves the item
	Path dbus.ObjectPath
}

// String is the item as a watcher lists it: "busname/path".
func (it *Item) String() string { return it.Dest + string(it.Path) }

// FindItemByPID finds the item of the process pid by the bus name
// fyne.io/systray requests, "org.kde.StatusNotifierItem-<pid>-1", without
// needing a watcher. It reports false if the name is not (yet) on the bus,
// so it suits WaitFor.
func FindItemByPID(conn *dbus.Conn, pid int) (*Item, bool) {
	want := fmt.Sprintf("%s-%d-1", itemIface, pid)
	var names []string
	if err := conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
		return nil, false
	}
	for _, name := range names {
		if name == want {
			return &Item{Conn: conn, Dest: name, Path: itemPath}, true
		}
	}
	return nil, false
}

// Pixmap is an icon in StatusNotifierItem form: W×H ARGB32 pixels in network
// byte order.
type Pixmap struct {
	W, H int32
	Pix  []byte
}

// ToolTip is the StatusNotifierItem ToolTip property.
type ToolTip struct {
	IconName string
	Icons    []Pixmap
	Title    string
	Text     string
}

// ItemProps are the StatusNotifierItem properties tests look at. A property
// the item does not set is left zero.
type ItemProps struct {
	Status     string // "Passive", "Active" or "NeedsAttention"
	Title      string
	ID         string // the Id property
	ToolTip    ToolTip
	IconPixmap []Pixmap
	Menu       dbus.ObjectPath // where the item serves com.canonical.dbusmenu
}

// Props reads the item's properties in one GetAll call, as a panel does.
func (it *Item) Props() (ItemProps, error) {
	var all map[string]dbus.Variant
	err := it.Conn.Object(it.Dest, it.Path).
		Call("org.freedesktop.DBus.Properties.GetAll", 0, itemIface).Store(&all)
	if err != nil {
		return ItemProps{}, fmt.Errorf("reading properties of %s: %w", it, err)
	}
	var p ItemProps
	fields := []struct {
		name string
		dst  any
	}{
		{"Status", &p.Status},
		{"Title", &p.Title},
		{"Id", &p.ID},
		{"ToolTip", &p.ToolTip},
		{"IconPixmap", &p.IconPixmap},
		{"Menu", &p.Menu},
	}
	for _, f := range fields {
		v, ok := all[f.name]
		if !ok {
			continue
		}
		if err := v.Store(f.dst); err != nil {
			return ItemProps{}, fmt.Errorf("property %s of %s has type %s: %w", f.name, it, v.Signature(), err)
		}
	}
	return p, nil
}

// Layout reads the item's whole menu with com.canonical.dbusmenu.GetLayout.
func (it *Item) Layout() (MenuNode, error) {
	root, _, err := it.layout()
	return root, err
}

// layout returns the menu and the object path serving it.
func (it *Item) layout() (MenuNode, dbus.ObjectPath, error) {
	v, err := it.Conn.Object(it.Dest, it.Path).GetProperty(itemIface + ".Menu")
	if err != nil {
		return MenuNode{}, "", fmt.Errorf("reading the Menu property of %s: %w", it, err)
	}
	var menu dbus.ObjectPath
	if err := v.Store(&menu); err != nil || !menu.IsValid() || menu == "/" {
		return MenuNode{}, "", fmt.Errorf("%s has no menu (Menu is %v)", it, v)
	}
	var revision uint32
	var raw wireNode
	// Parent 0 is the root; depth -1 is the whole tree; no property names
	// means all properties.
	err = it.Conn.Object(it.Dest, menu).
		Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).
		Store(&revision, &raw)
	if err != nil {
		return MenuNode{}, "", fmt.Errorf("GetLayout on %s%s: %w", it.Dest, menu, err)
	}
	root, err := raw.node()
	if err != nil {
		return MenuNode{}, "", fmt.Errorf("decoding the menu of %s: %w", it, err)
	}
	return root, menu, nil
}

// Click activates the visible menu entry labelled label, sending the Event a
// panel sends when the user picks it. The menu is read afresh first, so the
// click goes to the entry as it is now. Disabled entries are refused, since
// a user cannot click them either.
func (it *Item) Click(label string) error {
	root, menu, err := it.layout()
	if err != nil {
		return err
	}
	node, ok := root.Find(label)
	if !ok {
		return fmt.Errorf("menu of %s has no visible entry %q (top level: %q)", it, label, root.VisibleLabels())
	}
	if !node.Enabled() {
		return fmt.Errorf("menu entry %q of %s is disabled", label, it)
	}
	err = it.Conn.Object(it.Dest, menu).Call(menuIface+".Event", 0,
		node.ID, "clicked", dbus.MakeVariant(int32(0)), uint32(time.Now().Unix())).Err
	if err != nil {
		return fmt.Errorf("clicking %q in the menu of %s: %w", label, it, err)
	}
	return nil
}

// MenuNode is one dbusmenu entry and the entries below it.
type MenuNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []MenuNode
}

// wireNode is a layout as GetLayout sends it, (ia{sv}av): each child is
// itself a layout wrapped in a variant.
type wireNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

func (w wireNode) node() (MenuNode, error) {
	n := MenuNode{ID: w.ID, Props: w.Props}
	for _, v := range w.Children {
		var child wireNode
		if err := v.Store(&child); err != nil {
			return MenuNode{}, fmt.Errorf("child of entry %d: %w", w.ID, err)
		}
		c, err := child.node()
		if err != nil {
			return MenuNode{}, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// Label is the entry's text as shown: mnemonic underscores removed, and a
// doubled underscore shown as one.
func (n MenuNode) Label() string {
	s, _ := n.prop("label").(string)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			if i+1 < len(s) && s[i+1] == '_' {
				b.WriteByte('_')
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Enabled reports whether the entry can be activated; entries are enabled
// unless they say otherwise.
func (n MenuNode) Enabled() bool { return n.flag("enabled") }

// Visible reports whether the entry is shown; entries are visible unless
// they say otherwise.
func (n MenuNode) Visible() bool { return n.flag("visible") }

// Type is "separator" or "standard".
func (n MenuNode) Type() string {
	if n.prop("type") == "separator" {
		return "separator"
	}
	return "standard"
}

// Find returns the first visible entry below n labelled label, searching
// depth first. Entries inside a hidden submenu are not visible either. n
// itself is not a candidate: the root of a menu is not an entry.
func (n MenuNode) Find(label string) (MenuNode, bool) {
	for _, c := range n.Children {
		if !c.Visible() {
			continue
		}
		if c.Type() != "separator" && c.Label() == label {
			return c, true
		}
		if found, ok := c.Find(label); ok {
			return found, true
		}
	}
	return MenuNode{}, false
}

// VisibleLabels lists the labels of the top-level entries a user sees, in
// order, without separators.
func (n MenuNode) VisibleLabels() []string {
	var labels []string
	for _, c := range n.Children {
		if c.Visible() && c.Type() != "separator" {
			labels = append(labels, c.Label())
		}
	}
	return labels
}

// prop returns the value of property name, or nil if it is not set.
func (n MenuNode) prop(name string) any {
	v, ok := n.Props[name]
	if !ok {
		return nil
	}
	return v.Value()
}

// flag reads a boolean property that defaults to true.
func (n MenuNode) flag(name string) bool {
	b, ok := n.prop(name).(bool)
	return !ok || b
}
