package window

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/session"
)

// loginForm is the screen shown while there is no session: the server,
// user and password, the options under "Más opciones", and why the last
// login failed.
type loginForm struct {
	u *ui

	submitted bool   // this window asked for the login under way
	tried     string // the server of this window's last login, for its errors

	demo    *widget.Label
	server  *entry
	user    *entry
	pass    *entry
	kind    *widget.RadioGroup
	kindFix *widget.Label // says the administrator fixed the kind
	keep    *widget.Check
	keepWhy *widget.Label
	// autostart, under "Más opciones", applies at once rather than with
	// the login.
	autostart *autostartBox
	errText   *widget.Label
	// reconnect asks the resident again after it could not be reached.
	reconnect *widget.Button
	submit    *widget.Button
	busy      *widget.ProgressBarInfinite
	form      *widget.Form
	box       *fyne.Container
}

func newLoginForm(u *ui) *loginForm {
	t := u.msg.T
	f := &loginForm{u: u}
	f.server = newEntry(u.onEscape, false)
	f.server.SetPlaceHolder(t("window.server_placeholder"))
	f.user = newEntry(u.onEscape, false)
	f.user.SetPlaceHolder(t("window.user_placeholder"))
	f.pass = newEntry(u.onEscape, true) // has its own show/hide button
	f.server.OnSubmitted = func(string) { f.focusNextOrSubmit() }
	f.user.OnSubmitted = func(string) { f.focusNextOrSubmit() }
	f.pass.OnSubmitted = func(string) { f.onSubmit() }

	f.kind = widget.NewRadioGroup([]string{t("window.kind_user"), t("window.kind_agent")}, nil)
	f.kind.Horizontal = true
	f.kind.Required = true
	f.kind.SetSelected(t("window.kind_user"))
	f.kindFix = lockedNote(t)
	f.keep = widget.NewCheck(t("window.remember"), nil)
	f.keepWhy = note(widget.LowImportance)
	f.autostart = newAutostartBox(u, f.showError)

	f.demo = note(widget.HighImportance)

	f.form = widget.NewForm(
		widget.NewFormItem(t("window.server"), f.server),
		widget.NewFormItem(t("window.user"), f.user),
		widget.NewFormItem(t("window.password"), f.pass),
	)
	f.form.Items[0].HintText = t("window.server_hint")
	more := widget.NewAccordion(widget.NewAccordionItem(t("window.more"),
		container.NewVBox(widget.NewLabel(t("window.kind")), f.kind, f.kindFix, f.keep, f.keepWhy, f.autostart.check, f.autostart.fixed)))

	f.errText = note(widget.DangerImportance)
	f.reconnect = widget.NewButton(t("window.reconnect"), f.onReconnect)
	f.reconnect.Hide()
	f.submit = widget.NewButton(t("window.login"), f.onSubmit)
	f.submit.Importance = widget.HighImportance
	f.busy = widget.NewProgressBarInfinite()
	f.busy.Hide()
	f.box = container.NewVBox(
		widget.NewLabelWithStyle(t("window.heading"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.demo, f.form, more, f.errText, f.reconnect, f.busy, f.submit,
	)
	return f
}

// applyInfo fills the form in with the last login's choices, and shows
// what the administrator fixed and what the resident cannot do.
func (f *loginForm) applyInfo(info control.Info) {
	t := f.u.msg.T
	f.server.SetText(info.Server)
	f.user.SetText(info.User)
	if info.Kind == session.KindAgent {
		f.kind.SetSelected(t("window.kind_agent"))
	}
	f.keep.SetChecked(info.Remember)
	if info.SavedPassword {
		f.pass.SetPlaceHolder(t("window.password_saved"))
	}
	if info.KeyringError != "" {
		f.keep.SetChecked(false)
		f.keep.Disable()
		f.keepWhy.SetText(t("window.remember_unavailable") + " " + messages.Describe(f.u.msg, session.ErrorFromCode(info.KeyringError, ""), session.Snapshot{}))
		f.keepWhy.Show()
	}
	if info.Demo != nil {
		f.demo.SetText(t("window.demo", "Server", info.Demo.Server, "User", info.Demo.User, "Password", info.Demo.Password))
		f.demo.Show()
	}
	if info.Locked.Server {
		f.form.Items[0].HintText = t("window.locked")
	}
	if info.Locked.Kind {
		f.kindFix.Show()
	}
	f.autostart.applyInfo(info)
}

// onSubmit checks the form and asks the resident to log in.
func (f *loginForm) onSubmit() {
	if f.submit.Disabled() {
		return
	}
	u, t := f.u, f.u.msg.T
	req := control.LoginRequest{
		Server:   strings.TrimSpace(f.server.Text),
		User:     strings.TrimSpace(f.user.Text),
		Password: f.pass.Text,
		Kind:     session.KindUser,
		Remember: f.keep.Checked && !f.keep.Disabled(),
	}
	if f.kind.Selected == t("window.kind_agent") {
		req.Kind = session.KindAgent
	}
	switch {
	case req.Server == "":
		f.showError(t("usage.need_server_window"))
		u.win.Canvas().Focus(f.server)
		return
	case req.User == "":
		f.showError(t("err.empty_user"))
		u.win.Canvas().Focus(f.user)
		return
	case req.Password == "" && u.info.SavedPassword && req.Server == u.info.Server && req.User == u.info.User:
		req.UseSavedPassword = true
	case req.Password == "":
		f.showError(t("err.empty_password"))
		u.win.Canvas().Focus(f.pass)
		return
	}
	f.hideError()
	f.setBusy(true)
	f.submitted = true
	f.tried = req.Server
	u.call(func(ctx context.Context) func() {
		_, err := u.backend.Login(ctx, req)
		return func() { f.loginDone(err) }
	})
}

func (f *loginForm) loginDone(err error) {
	if err == nil {
		return // the watch stream brings the new state
	}
	f.submitted = false
	f.setBusy(false)
	f.showError(f.u.describe(err))
	canvas := f.u.win.Canvas()
	switch {
	case errors.Is(err, session.ErrEmptyPassword):
		canvas.Focus(f.pass)
	case session.ErrorCode(err) == session.CodeWrongCredentials:
		f.pass.SetText("")
		canvas.Focus(f.pass)
	case session.ErrorCode(err) == session.CodeInvalidServer:
		canvas.Focus(f.server)
	}
}

// setBusy disables the form while a login is under way, or while the
// resident has not answered; what the administrator fixed stays disabled.
func (f *loginForm) setBusy(busy bool) {
	u := f.u
	locked := u.info.Locked
	for _, field := range []struct {
		w     fyne.Disableable
		fixed bool // by the administrator
	}{{f.server, locked.Server}, {f.user, false}, {f.pass, false}, {f.kind, locked.Kind}, {f.submit, false}} {
		if busy || field.fixed {
			field.w.Disable()
		} else {
			field.w.Enable()
		}
	}
	if u.info.KeyringError == "" && !busy {
		f.keep.Enable()
	} else {
		f.keep.Disable()
	}
	f.form.Refresh() // the labels follow their fields' enabled state
	if busy && u.stateKnown {
		f.submit.SetText(u.msg.T("status.logging_in"))
		f.busy.Show()
	} else {
		f.submit.SetText(u.msg.T("window.login"))
		f.busy.Hide()
	}
}

func (f *loginForm) focusNextOrSubmit() {
	if !f.focusFirstEmpty() {
		f.onSubmit()
	}
}

// focusFirstEmpty puts the cursor in the first empty field, and reports
// whether there was one.
func (f *loginForm) focusFirstEmpty() bool {
	if !f.box.Visible() {
		return false
	}
	for _, e := range []*entry{f.server, f.user, f.pass} {
		if e.Text == "" && !(e == f.pass && f.u.info.SavedPassword) {
			f.u.win.Canvas().Focus(e)
			return true
		}
	}
	f.u.win.Canvas().Focus(f.pass)
	return false
}

func (f *loginForm) showError(text string) {
	f.errText.SetText(text)
	f.errText.Show()
}

func (f *loginForm) hideError() { f.errText.Hide() }

// showUnreachable disables the form, says why, and offers to ask the
// resident again.
func (f *loginForm) showUnreachable(why string) {
	f.setBusy(true)
	f.showError(why)
	f.reconnect.Show()
}

// onReconnect asks the resident again for what the window needs.
func (f *loginForm) onReconnect() {
	f.reconnect.Hide()
	f.hideError()
	f.u.watch()
}
