//go:build !windows

package tray

import "fyne.io/systray"

// systrayMenu is systray's own menu: fixed entries, shown or hidden by
// state, so that a click always reaches the right action.
type systrayMenu struct {
	onChoice func(Choice)
	status   *systray.MenuItem
	reason   *systray.MenuItem
	items    map[Action]*systray.MenuItem
}

func newMenu(first Model, onChoice func(Choice), _ func(error)) menu {
	m := &systrayMenu{onChoice: onChoice}
	m.build(first)
	return m
}

// renew makes the menu again from m: systray's whole menu goes (the
// readers of its entries end as their channels close), and with it what
// makes systray serve the next host its menu one level at a time (see
// systray_internals.go).
func (m *systrayMenu) renew(model Model) {
	systray.ResetMenu()
	m.build(model)
}

// build adds the menu's entries to systray's empty menu.
func (m *systrayMenu) build(first Model) {
	onChoice := m.onChoice
	m.items = map[Action]*systray.MenuItem{}
	m.status = systray.AddMenuItem(first.Status.Label, "")
	m.status.Disable()
	m.reason = systray.AddMenuItem(first.Reason.Label, "")
	m.reason.Disable()
	systray.AddSeparator()
	for _, a := range MenuOrder {
		if a == ActionQuit {
			systray.AddSeparator()
		}
		it := systray.AddMenuItem(first.Items[a].Label, "")
		m.items[a] = it
		if a == ActionBreak {
			// A submenu: its entries are the choices, made once, as the
			// motives never change (see Model.Motives). The parent's own
			// clicks have no reader, and systray drops them.
			for _, motive := range first.Motives {
				follow(it.AddSubMenuItem(motive, ""), Choice{Action: ActionBreak, Motive: motive}, onChoice)
			}
			continue
		}
		follow(it, Choice{Action: a}, onChoice)
	}
}

// follow sends c for every click on it. A click is dropped if nobody
// reads: one reader per entry, for the life of the entry.
func follow(it *systray.MenuItem, c Choice, onChoice func(Choice)) {
	go func() {
		for range it.ClickedCh {
			onChoice(c)
		}
	}()
}

func (m *systrayMenu) apply(model, old Model, first bool) {
	applyItem(m.status, model.Status, old.Status, first)
	applyItem(m.reason, model.Reason, old.Reason, first)
	for _, a := range MenuOrder {
		applyItem(m.items[a], model.Items[a], old.Items[a], first)
	}
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

// setTooltip sets the icon's tooltip.
func setTooltip(text string) error {
	systray.SetTooltip(text)
	return nil
}
