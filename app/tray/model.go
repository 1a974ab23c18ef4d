// Package tray is the resident's tray icon: the menu as a pure function of
// the session snapshot (Build), applied with fyne.io/systray (Run). It never
// starts Fyne or OpenGL, so it costs nothing while idle.
package tray

import (
	"time"

	"ucontact-tray/app/messages"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

// Icon is which icon the tray shows.
type Icon int

const (
	IconLoggedOut Icon = iota
	IconLoggedIn
	IconBusy
	IconAttention // logout pending, or a problem the user should see
	IconOnBreak   // an agent on a break
)

// Action is what a menu item asks for.
type Action int

const (
	ActionLogin Action = iota
	ActionLogout
	ActionOpen
	ActionRetry
	ActionRelogin // log in again after a suspend ended the session
	ActionQuit
	// ActionBreak is the Pausa submenu: its entries are Model.Motives, and
	// a click on one is a Choice carrying the motive.
	ActionBreak
	ActionEndBreak // end the break the agent is on
)

// Choice is a click in the menu: an action and, for ActionBreak, the
// break chosen (one of Model.Motives).
type Choice struct {
	Action Action
	Motive string
}

// Item is one menu entry.
type Item struct {
	Label   string
	Enabled bool
	Visible bool
}

// Model is everything the tray shows. The menu has fixed entries, shown or
// hidden by state, so that a click always reaches the right action.
type Model struct {
	Icon    Icon
	Title   string
	Tooltip string
	Status  Item // a disabled line saying where the session stands
	Reason  Item // a disabled line below it: why the icon asks for attention
	Items   map[Action]Item
	// Motives are the entries of the ActionBreak submenu, in order, shown
	// whenever it is. They are the same in every model of a run (the
	// administrator's presets, read at start), so a menu may make its
	// entries once, from the first model.
	Motives []string
}

// MenuOrder is the order of the action entries, below the status line.
var MenuOrder = []Action{ActionRelogin, ActionLogin, ActionBreak, ActionEndBreak, ActionLogout, ActionOpen, ActionRetry, ActionQuit}

// Extras is what the tray shows besides the session's state.
type Extras struct {
	// Relogin, when set, offers to log in again as this session ("ana @
	// acme"): a suspend ended it, and the machine is back.
	Relogin string
	// Motives are the breaks an agent may take (the presets'
	// break_motives); without them there is no Pausa submenu.
	Motives []string
	// Now is when the tray is drawn, to tell a session begun today from
	// one begun on another day; the zero time is time.Now().
	Now time.Time
}

// Build is the tray for a snapshot.
func Build(s session.Snapshot, c *i18n.Catalog, x Extras) Model {
	server := messages.ServerName(s.Server)
	now := x.Now
	if now.IsZero() {
		now = time.Now()
	}
	since := func(t time.Time) string { return messages.Since(c, t, now) }
	m := Model{Items: map[Action]Item{}, Motives: x.Motives}
	hidden := func(label string) Item { return Item{Label: label} }
	m.Items[ActionLogin] = hidden(c.T("tray.login"))
	m.Items[ActionLogout] = hidden(c.T("tray.logout"))
	m.Items[ActionOpen] = hidden(c.T("tray.open"))
	m.Items[ActionRetry] = hidden(c.T("tray.retry"))
	m.Items[ActionRelogin] = hidden(c.T("tray.relogin", "Session", x.Relogin))
	m.Items[ActionBreak] = hidden(c.T("tray.break"))
	m.Items[ActionEndBreak] = hidden("")
	m.Items[ActionQuit] = Item{Label: c.T("tray.quit"), Enabled: true, Visible: true}
	show := func(a Action, enabled bool) {
		it := m.Items[a]
		it.Visible, it.Enabled = true, enabled
		m.Items[a] = it
	}

	var status, detail string // detail: a second line for the tooltip
	switch s.State {
	case session.LoggedOut:
		m.Icon, status = IconLoggedOut, c.T("status.logged_out")
		show(ActionLogin, true)
		if x.Relogin != "" {
			show(ActionRelogin, true)
		}
	case session.LoggingIn:
		m.Icon, status = IconBusy, c.T("status.logging_in")
		show(ActionLogin, false)
		m.Items[ActionQuit] = Item{Label: c.T("tray.quit"), Visible: true}
	case session.LoggedIn:
		m.Icon = IconLoggedIn
		status = c.T("status.logged_in", "User", s.User, "Server", server, "Since", since(s.Since))
		show(ActionLogout, true)
		show(ActionOpen, true)
		if s.Kind != session.KindAgent {
			break
		}
		if b := s.Break; b != nil {
			// The break first, where the eye falls; who is logged in stays
			// in the tooltip.
			m.Icon, detail = IconOnBreak, status
			status = c.T("status.on_break", "Motive", b.Motive, "Since", since(b.Since))
			m.Items[ActionEndBreak] = Item{Label: c.T("tray.end_break", "Motive", b.Motive, "Since", since(b.Since))}
			show(ActionEndBreak, true)
		} else if len(x.Motives) > 0 && !s.NoBreaks {
			show(ActionBreak, true)
		}
	case session.LoggingOut:
		m.Icon, status = IconBusy, c.T("status.logging_out")
		show(ActionLogout, false)
		show(ActionOpen, false)
		m.Items[ActionQuit] = Item{Label: c.T("tray.quit"), Visible: true}
	case session.LogoutPending:
		m.Icon = IconAttention
		status = c.T("tray.pending", "User", s.User, "Server", server)
		show(ActionRetry, true)
		show(ActionOpen, true)
	}
	m.Status = Item{Label: status, Visible: true}
	m.Title = status
	m.Tooltip = status
	if detail != "" {
		m.Tooltip += "\n" + detail
	}
	// The reason is a menu line as well as in the tooltip: many Linux
	// panels never show a tooltip.
	if reason := messages.Attention(c, s); reason != "" {
		if m.Icon != IconBusy {
			m.Icon = IconAttention
		}
		m.Reason = Item{Label: reason, Visible: true}
		m.Tooltip += "\n" + reason
	}
	return m
}
