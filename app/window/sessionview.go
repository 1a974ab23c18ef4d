package window

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/messages"
	"ucontact-tray/session"
)

// sessionView is the screen shown while there is a session: whose it is,
// where it stands, and the button that ends it.
type sessionView struct {
	u *ui

	loggingOut bool // this window asked for the logout under way

	state *widget.Label
	// attention says why the tray shows the attention icon while the
	// session is fine (its token kept in a file, say).
	attention *widget.Label
	user      *widget.Label
	server    *widget.Label
	kind      *widget.Label
	err       *widget.Label
	end       *button
	busy      *widget.ProgressBarInfinite
	box       *fyne.Container
}

func newSessionView(u *ui) *sessionView {
	t := u.msg.T
	v := &sessionView{u: u}
	label := func() *widget.Label { return widget.NewLabel("") }
	v.state = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.attention = note(widget.WarningImportance)
	v.user, v.server, v.kind = label(), label(), label()
	v.err = note(widget.DangerImportance)
	v.end = newButton(t("tray.logout"), v.onEnd, u.onEscape)
	v.end.Importance = widget.DangerImportance
	v.busy = widget.NewProgressBarInfinite()
	v.busy.Hide()
	details := widget.NewForm(
		widget.NewFormItem(t("window.user"), v.user),
		widget.NewFormItem(t("window.server"), v.server),
		widget.NewFormItem(t("window.kind"), v.kind),
	)
	v.box = container.NewVBox(v.state, v.attention, details, v.err, v.busy, v.end)
	return v
}

// show shows the session s.
func (v *sessionView) show(s session.Snapshot) {
	msg, t := v.u.msg, v.u.msg.T
	v.user.SetText(s.User)
	v.server.SetText(messages.ServerName(s.Server))
	kind := messages.KindName(msg, s.Kind)
	if s.Extension != "" {
		kind = t("window.kind_extension", "Kind", kind, "Extension", s.Extension)
	}
	v.kind.SetText(kind)
	busy := s.State == session.LoggingOut
	switch s.State {
	case session.LogoutPending:
		v.state.SetText(t("tray.pending", "User", s.User, "Server", messages.ServerName(s.Server)))
		v.end.SetText(t("window.retry"))
	case session.LoggingOut:
		v.state.SetText(t("status.logging_out"))
	default:
		v.state.SetText(t("window.logged_in_since", "Since", messages.Since(msg, s.Since, time.Now())))
		v.end.SetText(t("tray.logout"))
	}
	// A pending logout says why on the error line, with when it is tried
	// again; any other reason for attention has a line of its own.
	why := messages.Attention(msg, s)
	pending := s.State == session.LogoutPending
	if why != "" && !pending {
		v.attention.SetText(why)
		v.attention.Show()
	} else {
		v.attention.Hide()
	}
	if pending && s.LastError != nil {
		v.err.SetText(why + " " + t("notify.pending")) // why is what LastError was
		v.err.Show()
	} else {
		v.err.Hide()
	}
	if busy || v.loggingOut {
		v.end.Disable()
		v.busy.Show()
	} else {
		v.end.Enable()
		v.busy.Hide()
	}
}

// onEnd asks the resident to end the session.
func (v *sessionView) onEnd() {
	u := v.u
	v.loggingOut = true
	v.end.Disable()
	v.busy.Show()
	u.call(func(ctx context.Context) func() {
		_, err := u.backend.Logout(ctx)
		return func() {
			v.loggingOut = false
			if err != nil && !errors.Is(err, session.ErrNotLoggedIn) {
				v.err.SetText(u.describe(err))
				v.err.Show()
			}
			u.applyStatus(u.status)
		}
	})
}
