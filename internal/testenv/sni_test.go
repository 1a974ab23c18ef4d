package testenv

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// testMenu is a tray menu with every case the helpers must handle.
func testMenu() MenuNode {
	entry := func(id int32, props map[string]any, children ...MenuNode) MenuNode {
		n := MenuNode{ID: id, Props: map[string]dbus.Variant{}, Children: children}
		for k, v := range props {
			n.Props[k] = dbus.MakeVariant(v)
		}
		return n
	}
	return entry(0, map[string]any{"children-display": "submenu"},
		entry(1, map[string]any{"label": "_Show Window"}),
		entry(2, map[string]any{"type": "separator"}),
		entry(3, map[string]any{"label": "Log _Out", "enabled": false}),
		entry(4, map[string]any{"label": "Hidden", "visible": false},
			entry(5, map[string]any{"label": "Inside Hidden"}),
		),
		entry(6, map[string]any{"label": "Sub", "children-display": "submenu"},
			entry(7, map[string]any{"label": "Deep__Item"}),
		),
		entry(8, map[string]any{"label": "_Quit", "enabled": true, "visible": true}),
	)
}

func TestMenuNode(t *testing.T) {
	root := testMenu()

	want := []string{"Show Window", "Log Out", "Sub", "Quit"}
	if got := root.VisibleLabels(); !reflect.DeepEqual(got, want) {
		t.Errorf("VisibleLabels() = %q, want %q", got, want)
	}

	found := []struct {
		label   string
		id      int32
		enabled bool
	}{
		{"Show Window", 1, true},
		{"Log Out", 3, false},
		{"Deep_Item", 7, true}, // in a submenu; "__" is a literal underscore
		{"Quit", 8, true},
	}
	for _, tt := range found {
		n, ok := root.Find(tt.label)
		if !ok {
			t.Errorf("Find(%q) found nothing", tt.label)
			continue
		}
		if n.ID != tt.id || n.Enabled() != tt.enabled {
			t.Errorf("Find(%q) = id %d enabled %v, want id %d enabled %v",
				tt.label, n.ID, n.Enabled(), tt.id, tt.enabled)
		}
	}
	for _, label := range []string{"Hidden", "Inside Hidden", "_Quit", "Nope", ""} {
		if n, ok := root.Find(label); ok {
			t.Errorf("Find(%q) found entry %d, want nothing", label, n.ID)
		}
	}

	if got := root.Children[1].Type(); got != "separator" {
		t.Errorf("Type() of a separator = %q", got)
	}
	if got := root.Children[0].Type(); got != "standard" {
		t.Errorf("Type() of a plain entry = %q", got)
	}
	if root.Children[3].Visible() || !root.Children[0].Visible() {
		t.Error("Visible() ignores the visible property or its default")
	}
}

func TestWatcherKeepsEveryRegistration(t *testing.T) {
	bus := StartBus(t)
	w := StartWatcher(t, bus)
	client := ConnectBus(t, bus)
	watcher := client.Object(watcherName, watcherPath)

	// Both register before anyone waits: neither may be lost.
	for _, service := range []string{"/StatusNotifierItem", "org.example.Tray"} {
		if err := watcher.Call(watcherIface+".RegisterStatusNotifierItem", 0, service).Err; err != nil {
			t.Fatalf("RegisterStatusNotifierItem(%q): %v", service, err)
		}
	}
	self := client.Names()[0] // the unique name, e.g. ":1.5"
	first := w.WaitItem(t, 5*time.Second)
	if first.Dest != self || first.Path != "/StatusNotifierItem" {
		t.Errorf("first item %s, want %s/StatusNotifierItem", first, self)
	}
	second := w.WaitItem(t, 5*time.Second)
	if second.Dest != "org.example.Tray" || second.Path != "/StatusNotifierItem" {
		t.Errorf("second item %s, want org.example.Tray/StatusNotifierItem", second)
	}

	var registered []string
	if err := watcher.StoreProperty(watcherIface+".RegisteredStatusNotifierItems", &registered); err != nil {
		t.Fatal(err)
	}
	want := []string{self + "/StatusNotifierItem", "org.example.Tray/StatusNotifierItem"}
	if !reflect.DeepEqual(registered, want) {
		t.Errorf("RegisteredStatusNotifierItems = %q, want %q", registered, want)
	}
	var host bool
	if err := watcher.StoreProperty(watcherIface+".IsStatusNotifierHostRegistered", &host); err != nil || !host {
		t.Errorf("IsStatusNotifierHostRegistered = %v, %v; want true", host, err)
	}
	var xml string
	if err := watcher.Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"RegisterStatusNotifierItem", "RegisterStatusNotifierHost", "ProtocolVersion"} {
		if !strings.Contains(xml, s) {
			t.Errorf("introspection lacks %s:\n%s", s, xml)
		}
	}
	if strings.Contains(xml, "WaitItem") {
		t.Errorf("introspection exposes Go methods:\n%s", xml)
	}

	msg := fatalMessage(t, func(tb testing.TB) { w.WaitItem(tb, 100*time.Millisecond) })
	if !strings.Contains(msg, "timed out after 100ms") {
		t.Errorf("WaitItem with nothing registered failed with %q", msg)
	}
}

func TestWatcherWaitsForLateRegistration(t *testing.T) {
	bus := StartBus(t)
	w := StartWatcher(t, bus)
	client := ConnectBus(t, bus)
	go func() {
		time.Sleep(100 * time.Millisecond)
		// Failures show up as WaitItem timing out.
		client.Object(watcherName, watcherPath).Call(watcherIface+".RegisterStatusNotifierItem", 0, ":1.999/org/ayatana/NotificationItem/x")
	}()
	item := w.WaitItem(t, 5*time.Second)
	if item.Dest != ":1.999" || item.Path != "/org/ayatana/NotificationItem/x" {
		t.Errorf("item %s, want :1.999/org/ayatana/NotificationItem/x", item)
	}
}

// fakeMenu serves a fixed com.canonical.dbusmenu tree and records clicks.
type fakeMenu struct {
	root MenuNode

	mu     sync.Mutex
	clicks []int32
}

func (m *fakeMenu) GetLayout(parent, depth int32, props []string) (uint32, wireNode, *dbus.Error) {
	return 1, toWire(m.root), nil
}

func (m *fakeMenu) Event(id int32, event string, data dbus.Variant, timestamp uint32) *dbus.Error {
	if event == "clicked" {
		m.mu.Lock()
		m.clicks = append(m.clicks, id)
		m.mu.Unlock()
	}
	return nil
}

func (m *fakeMenu) Clicks() []int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int32(nil), m.clicks...)
}

func toWire(n MenuNode) wireNode {
	w := wireNode{ID: n.ID, Props: n.Props, Children: []dbus.Variant{}}
	for _, c := range n.Children {
		w.Children = append(w.Children, dbus.MakeVariant(toWire(c)))
	}
	return w
}

// serveItem exports a StatusNotifierItem with a menu on conn, as
// fyne.io/systray does.
func serveItem(t *testing.T, conn *dbus.Conn) *fakeMenu {
	t.Helper()
	_, err := prop.Export(conn, itemPath, prop.Map{itemIface: {
		"Status": {Value: "Active"},
		"Title":  {Value: "uContact"},
		"Id":     {Value: "ucontact-tray"},
		"ToolTip": {Value: ToolTip{
			Title: "uContact: signed out",
			Icons: []Pixmap{},
		}},
		"IconPixmap": {Value: []Pixmap{{W: 1, H: 2, Pix: []byte{255, 1, 2, 3, 255, 4, 5, 6}}}},
		"Menu":       {Value: dbus.ObjectPath("/StatusNotifierMenu")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	menu := &fakeMenu{root: testMenu()}
	if err := conn.Export(menu, "/StatusNotifierMenu", menuIface); err != nil {
		t.Fatal(err)
	}
	return menu
}

func TestItemPropsLayoutAndClick(t *testing.T) {
	bus := StartBus(t)
	w := StartWatcher(t, bus)
	app := ConnectBus(t, bus)
	menu := serveItem(t, app)
	err := app.Object(watcherName, watcherPath).Call(watcherIface+".RegisterStatusNotifierItem", 0, string(itemPath)).Err
	if err != nil {
		t.Fatal(err)
	}
	item := w.WaitItem(t, 5*time.Second)

	p, err := item.Props()
	if err != nil {
		t.Fatal(err)
	}
	want := ItemProps{
		Status:     "Active",
		Title:      "uContact",
		ID:         "ucontact-tray",
		ToolTip:    ToolTip{Title: "uContact: signed out", Icons: []Pixmap{}},
		IconPixmap: []Pixmap{{W: 1, H: 2, Pix: []byte{255, 1, 2, 3, 255, 4, 5, 6}}},
		Menu:       "/StatusNotifierMenu",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Props() = %+v\nwant %+v", p, want)
	}

	root, err := item.Layout()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := root.VisibleLabels(), testMenu().VisibleLabels(); !reflect.DeepEqual(got, want) {
		t.Errorf("VisibleLabels() over the bus = %q, want %q", got, want)
	}
	if n, ok := root.Find("Deep_Item"); !ok || n.ID != 7 {
		t.Errorf("Find in a submenu over the bus = %d, %v", n.ID, ok)
	}

	if err := item.Click("Quit"); err != nil {
		t.Fatal(err)
	}
	if err := item.Click("Deep_Item"); err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"Log Out", "Hidden", "Nope"} {
		if err := item.Click(label); err == nil {
			t.Errorf("Click(%q) succeeded; a user cannot click it", label)
		}
	}
	if got := menu.Clicks(); !reflect.DeepEqual(got, []int32{8, 7}) {
		t.Errorf("menu saw clicks on %v, want [8 7]", got)
	}
}

func TestFindItemByPID(t *testing.T) {
	bus := StartBus(t)
	app := ConnectBus(t, bus)
	serveItem(t, app)
	observer := ConnectBus(t, bus)

	pid := os.Getpid()
	if _, ok := FindItemByPID(observer, pid); ok {
		t.Fatal("found an item before any was on the bus")
	}
	// The name fyne.io/systray requests for its first item.
	if err := requestName(app, "org.kde.StatusNotifierItem-"+strconv.Itoa(pid)+"-1"); err != nil {
		t.Fatal(err)
	}
	var item *Item
	WaitFor(t, 5*time.Second, "the item's bus name", func() bool {
		var ok bool
		item, ok = FindItemByPID(observer, pid)
		return ok
	})
	p, err := item.Props()
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "uContact" {
		t.Errorf("item found by pid has Title %q", p.Title)
	}
	if _, ok := FindItemByPID(observer, pid+1); ok {
		t.Error("found an item for another pid")
	}
}
