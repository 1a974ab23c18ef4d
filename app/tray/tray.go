package tray

import (
	"fmt"

	"fyne.io/systray"
)

// AppID names the tray item (its StatusNotifierItem Id on Linux). It must
// not change with the state: tray hosts remember per-item settings by it.
const AppID = "ucontact-tray"

// Handlers are what the tray calls back. Each may be called from any
// goroutine.
type Handlers struct {
	// Ready receives the tray once its menu exists.
	Ready func(*Tray)
	// Action receives every menu choice.
	Action func(Choice)
	// Tapped receives a click on the icon itself (the primary button).
	Tapped func()
	// Problem receives what went wrong without stopping the tray (a
	// tooltip not set, a menu not shown), for the log.
	Problem func(error)
}

// Tray shows a Model with fyne.io/systray. Its methods must be called from
// one goroutine at a time.
type Tray struct {
	menu    menu
	problem func(error)
	shown   Model
	broken  error // set once systray has failed; nothing is applied after
}

// menu is the tray's menu: systray's own, or the app's where systray's
// falls short (Windows).
type menu interface {
	// apply shows m; old is what was shown before, unless first.
	apply(m, old Model, first bool)
	// renew makes the menu again for m, for a tray host that appeared
	// after it was made; apply with first then shows m.
	renew(m Model)
}

// Run shows the tray and blocks until Quit is called.
func Run(first Model, h Handlers) {
	// Before Run, the title becomes the item's Id.
	systray.SetTitle(AppID)
	systray.Run(func() {
		t := &Tray{problem: h.Problem}
		t.menu = newMenu(first, h.Action, h.Problem)
		if h.Tapped != nil {
			systray.SetOnTapped(h.Tapped)
		}
		// The title carries the state too, but only once the item is on the
		// bus: set earlier, it would become the item's Id.
		title := first.Title
		first.Title = AppID
		t.apply(first, true) //nolint:errcheck // a failure shows in the next Apply
		first.Title = title
		applyWhenExported(title, func() { t.apply(first, true) }) //nolint:errcheck // likewise
		h.Ready(t)
	}, nil)
}

// Quit removes the tray and makes Run return.
func Quit() { systray.Quit() }

// Apply shows m, changing only what differs from what is shown. It fails,
// and does nothing from then on, if the tray is gone: fyne.io/systray
// panics when its D-Bus connection has closed (the session bus went away
// under the app), and that must not take the resident down mid-logout.
func (t *Tray) Apply(m Model) error { return t.apply(m, false) }

// Renew shows m in a menu made again, for a tray host that appeared after
// the app: GTK hosts draw the submenus empty of a menu served to them
// whole, which is what systray does for every host but the first one (see
// systray_internals.go).
func (t *Tray) Renew(m Model) error {
	if err := t.guard(func() { t.menu.renew(m) }); err != nil {
		return err
	}
	return t.apply(m, true)
}

func (t *Tray) apply(m Model, first bool) error {
	return t.guard(func() { t.show(m, first) })
}

// guard runs f unless the tray is gone, and marks it gone if f panics.
func (t *Tray) guard(f func()) (err error) {
	if t.broken != nil {
		return t.broken
	}
	defer func() {
		if p := recover(); p != nil {
			t.broken = fmt.Errorf("tray: %v", p)
			err = t.broken
		}
	}()
	f()
	return nil
}

func (t *Tray) show(m Model, first bool) {
	old := t.shown
	if first || m.Icon != old.Icon {
		systray.SetIcon(iconBytes(m.Icon))
	}
	if first || m.Tooltip != old.Tooltip {
		if err := setTooltip(m.Tooltip); err != nil {
			t.problem(err)
		}
	}
	if first || m.Title != old.Title {
		systray.SetTitle(m.Title)
	}
	t.menu.apply(m, old, first)
	t.shown = m
}
