package tray

import (
	"fmt"

	"fyne.io/systray"
)

// AppID names the tray item (its StatusNotifierItem Id on Linux). It must
// not change with the state: tray hosts remember per-item settings by it.
const AppID = "ucontact-tray"

// Tray shows a Model with fyne.io/systray. Its methods must be called from
// one goroutine at a time.
type Tray struct {
	status *systray.MenuItem
	items  map[Action]*systray.MenuItem
	shown  Model
	broken error // set once systray has failed; nothing is applied after
}

// Run shows the tray and blocks until Quit is called. onReady receives the
// tray once its menu exists; onAction receives every click, from a
// goroutine per menu entry; onTapped, a click on the icon itself.
func Run(first Model, onReady func(*Tray), onAction func(Action), onTapped func()) {
	// Before Run, the title becomes the item's Id.
	systray.SetTitle(AppID)
	systray.Run(func() {
		t := &Tray{items: map[Action]*systray.MenuItem{}}
		t.status = systray.AddMenuItem(first.Status.Label, "")
		t.status.Disable()
		systray.AddSeparator()
		for _, a := range MenuOrder {
			if a == ActionQuit {
				systray.AddSeparator()
			}
			it := systray.AddMenuItem(first.Items[a].Label, "")
			t.items[a] = it
			go func() {
				// A click is dropped if nobody reads: one reader per entry,
				// for the life of the tray.
				for range it.ClickedCh {
					onAction(a)
				}
			}()
		}
		if onTapped != nil {
			systray.SetOnTapped(onTapped)
		}
		// The title carries the state too, but only once the item is on the
		// bus: set earlier, it would become the item's Id.
		title := first.Title
		first.Title = AppID
		t.apply(first, true) //nolint:errcheck // a failure shows in the next Apply
		first.Title = title
		applyWhenExported(title, func() { t.apply(first, true) }) //nolint:errcheck // likewise
		onReady(t)
	}, nil)
}

// Quit removes the tray and makes Run return.
func Quit() { systray.Quit() }

// Apply shows m, changing only what differs from what is shown. It fails,
// and does nothing from then on, if the tray is gone: fyne.io/systray
// panics when its D-Bus connection has closed (the session bus went away
// under the app), and that must not take the resident down mid-logout.
func (t *Tray) Apply(m Model) error { return t.apply(m, false) }

func (t *Tray) apply(m Model, first bool) (err error) {
	if t.broken != nil {
		return t.broken
	}
	defer func() {
		if p := recover(); p != nil {
			t.broken = fmt.Errorf("tray: %v", p)
			err = t.broken
		}
	}()
	old := t.shown
	if first || m.Icon != old.Icon {
		systray.SetIcon(iconBytes(m.Icon))
	}
	if first || m.Tooltip != old.Tooltip {
		systray.SetTooltip(m.Tooltip)
	}
	if first || m.Title != old.Title {
		systray.SetTitle(m.Title)
	}
	applyItem(t.status, m.Status, old.Status, first)
	for _, a := range MenuOrder {
		applyItem(t.items[a], m.Items[a], old.Items[a], first)
	}
	t.shown = m
	return nil
}

func applyItem(mi *systray.MenuItem, it, old Item, first bool) {
	if first || it.Label != old.Label {
		mi.SetTitle(it.Label)
	}
	if first || it.Enabled != old.Enabled {
		if it.Enabled {
			mi.Enable()
		} else {
			mi.Disable()
		}
	}
	if first || it.Visible != old.Visible {
		if it.Visible {
			mi.Show()
		} else {
			mi.Hide()
		}
	}
}
