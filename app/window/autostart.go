package window

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/session"
)

// autostartBox is "Iniciar con el sistema", shown when the resident can
// start the app with the system, and disabled in demo mode. A change applies at once, through the
// resident; the box stays still until it has answered.
type autostartBox struct {
	u         *ui
	showError func(string) // the login form's error line

	check *check
	// fixed says the administrator fixed it, and for whom, or that the
	// demo does not change it.
	fixed *widget.Label
}

func newAutostartBox(u *ui, showError func(string)) *autostartBox {
	a := &autostartBox{u: u, showError: showError}
	a.check = newCheck(u.msg.T("window.autostart"), u.onEscape)
	a.check.Hide()
	a.fixed = lockedNote(u.msg.T)
	return a
}

func (a *autostartBox) applyInfo(info control.Info) {
	if info.Autostart == nil && info.Demo != nil {
		// The demo leaves the system as it is: the box is there, for the
		// demo to show the app as it is, and says why it does nothing.
		a.check.Disable()
		a.check.Show()
		a.fixed.Wrapping = fyne.TextWrapWord
		a.fixed.SetText(a.u.msg.T("window.autostart_demo"))
		a.fixed.Show()
		return
	}
	if info.Autostart == nil {
		return
	}
	a.check.SetChecked(*info.Autostart) // before OnChanged: not a change the user made
	a.check.OnChanged = a.onChanged
	a.check.Show()
	if info.Locked.Autostart {
		a.check.Disable()
		if info.AutostartForAllUsers {
			a.fixed.SetText(a.u.msg.T("window.autostart_all_users"))
		}
		a.fixed.Show()
	}
}

// onChanged asks the resident to start the app with the system, or to
// stop doing so.
func (a *autostartBox) onChanged(on bool) {
	a.check.Disable()
	a.u.call(func(ctx context.Context) func() {
		err := a.u.backend.ChangeSettings(ctx, control.SettingsRequest{Autostart: &on})
		return func() { a.done(on, err) }
	})
}

// done shows how a change ended: on failure the box goes back to what is
// true, and the error says why.
func (a *autostartBox) done(on bool, err error) {
	a.check.Enable()
	if err == nil {
		return
	}
	a.u.log.Warn("changing start with the system", "err", err)
	onChanged := a.check.OnChanged
	a.check.OnChanged = nil // putting it back is not a change to send
	a.check.SetChecked(!on)
	a.check.OnChanged = onChanged
	if session.ErrorCode(err).Kind() == session.CodeLocked || errors.Is(err, control.ErrNoResident) || errors.Is(err, control.ErrNotAnswering) {
		a.showError(a.u.describe(err))
	} else {
		a.showError(a.u.msg.T("window.autostart_failed", "Reason", err.Error()))
	}
}
