package window

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// loginForm is the screen shown while there is no session: the server,
// user, password and session kind, the options under "Más opciones", and
// why the last login failed, beside the field it concerns.
type loginForm struct {
	u *ui

	submitted bool // this window asked for the login under way
	// begun says the resident has taken up the login this window asked
	// for (its state went to logging in): until then, a logged-out state
	// is the one before it, or the end of a login that was cancelled.
	begun bool
	// attempt counts this window's logins: the answer to one the user
	// cancelled, or gave up on, is not this form's to show.
	attempt int
	// cancelling: the resident has not yet answered the cancel, and a new
	// login would catch the old one.
	cancelling bool
	tried      string // the server of this window's last login, for its errors

	demo    *widget.Label
	server  *entry
	user    *entry
	pass    *entry
	kind    *widget.RadioGroup
	kindFix *widget.Label // says the administrator fixed the kind
	// The errors of the last login beside the fields they concern; each
	// goes when its field changes (see fieldErrors).
	serverErr, userErr, passErr, kindErr *widget.Label
	keep                                 *check
	keepWhy                              *widget.Label
	// autostart, under "Más opciones", applies at once rather than with
	// the login.
	autostart *autostartBox
	// errText is the error that concerns no field: the server failed, the
	// tray app does not answer, a setting could not be changed.
	errText *widget.Label
	// errTextTried says errText is about the last login, to go when the
	// user changes what they typed.
	errTextTried bool
	// reconnect asks the resident again after it could not be reached.
	reconnect *button
	submit    *button
	// cancel gives up the login under way.
	cancel *button
	busy   *widget.ProgressBarInfinite
	form   *widget.Form
	box    *fyne.Container
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
	// One option a line: side by side, the agent's long name would widen
	// the window.
	f.kind.Required = true
	f.kind.SetSelected(t("window.kind_user"))
	f.kindFix = lockedNote(t)
	f.serverErr, f.userErr, f.passErr, f.kindErr = fieldNote(), fieldNote(), fieldNote(), fieldNote()
	// Set after the first values: a change from now on is the user's.
	f.server.OnChanged = func(string) { f.changed(f.serverErr) }
	f.user.OnChanged = func(string) { f.changed(f.userErr, f.passErr) }
	f.pass.OnChanged = func(string) { f.changed(f.passErr) }
	f.kind.OnChanged = func(string) { f.changed(f.kindErr) }
	f.keep = newCheck(t("window.remember"), u.onEscape)
	f.keepWhy = note(widget.LowImportance)
	f.autostart = newAutostartBox(u, f.showError)

	f.demo = note(widget.HighImportance)

	// The kind is on the first screen: most who log in are agents.
	f.form = widget.NewForm(
		widget.NewFormItem(t("window.server"), withNotes(f.server, f.serverErr)),
		widget.NewFormItem(t("window.user"), withNotes(f.user, f.userErr)),
		widget.NewFormItem(t("window.password"), withNotes(f.pass, f.passErr)),
		widget.NewFormItem(t("window.kind"), withNotes(f.kind, f.kindFix, f.kindErr)),
	)
	f.form.Items[0].HintText = t("window.server_hint")
	more := widget.NewAccordion(widget.NewAccordionItem(t("window.more"),
		container.NewVBox(f.keep, f.keepWhy, f.autostart.check, f.autostart.fixed)))

	f.errText = note(widget.DangerImportance)
	f.reconnect = newButton(t("window.reconnect"), f.onReconnect, u.onEscape)
	f.reconnect.Hide()
	f.submit = newButton(t("window.login"), f.onSubmit, u.onEscape)
	f.submit.Importance = widget.HighImportance
	f.cancel = newButton(t("window.cancel_login"), f.onCancel, u.onEscape)
	f.cancel.Hide()
	f.busy = widget.NewProgressBarInfinite()
	f.busy.Hide()
	f.box = container.NewVBox(
		widget.NewLabelWithStyle(t("window.heading"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.demo, f.form, more, f.errText, f.reconnect, f.busy,
		container.NewBorder(nil, nil, nil, f.cancel, f.submit),
	)
	return f
}

// fieldNote is the line under a field that says what is wrong with it.
func fieldNote() *widget.Label {
	l := note(widget.DangerImportance)
	l.SizeName = theme.SizeNameCaptionText
	return l
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
	f.clearErrors()
	switch {
	case req.Server == "":
		f.showFieldError(f.serverErr, t("usage.need_server_window"))
		u.win.Canvas().Focus(f.server)
		return
	case req.User == "":
		f.showFieldError(f.userErr, t("err.empty_user"))
		u.win.Canvas().Focus(f.user)
		return
	case req.Password == "" && u.info.SavedPassword && req.Server == u.info.Server && req.User == u.info.User:
		req.UseSavedPassword = true
	case req.Password == "":
		f.showFieldError(f.passErr, t("err.empty_password"))
		u.win.Canvas().Focus(f.pass)
		return
	}
	f.attempt++
	attempt := f.attempt
	f.submitted, f.begun = true, false
	f.setBusy(true)
	f.tried = req.Server
	u.call(func(ctx context.Context) func() {
		_, err := u.backend.Login(ctx, req)
		return func() { f.loginDone(attempt, err) }
	})
}

func (f *loginForm) loginDone(attempt int, err error) {
	if err == nil || attempt != f.attempt {
		return // the watch stream brings the new state; or the user gave this one up
	}
	f.submitted = false
	f.setBusy(false)
	f.showLoginError(err)
}

// showLoginError says why the login failed, beside the field it concerns,
// and puts the cursor where the fix goes.
func (f *loginForm) showLoginError(err error) {
	text := f.u.describe(err)
	canvas := f.u.win.Canvas()
	switch f.fieldOf(err) {
	case f.serverErr:
		f.showFieldError(f.serverErr, text)
		if session.ErrorCode(err) == session.CodeInvalidServer {
			canvas.Focus(f.server)
		}
	case f.userErr:
		f.showFieldError(f.userErr, text)
		canvas.Focus(f.user)
	case f.passErr:
		if session.ErrorCode(err) == session.CodeWrongCredentials {
			f.pass.SetText("") // before the error: a change of the field clears it
		}
		f.showFieldError(f.passErr, text)
		canvas.Focus(f.pass)
	case f.kindErr:
		f.showFieldError(f.kindErr, text)
	default:
		f.showError(text)
		f.errTextTried = true
		if errors.Is(err, session.ErrLoginCancelled) {
			// Here or in another window: the user's choice, no failure.
			f.errText.Importance = widget.LowImportance
			f.errText.Refresh()
		}
	}
}

// fieldOf is the note of the field an error of a login concerns, nil for
// one that concerns none of them.
func (f *loginForm) fieldOf(err error) *widget.Label {
	code := session.ErrorCode(err)
	switch code.Kind() {
	case session.CodeInvalidServer, session.CodeRedirect, session.CodeCertificate,
		session.CodeUnreachable, session.CodeTimeout, session.CodeProtocol:
		return f.serverErr
	case session.CodeEmptyUser:
		return f.userErr
	// A wrong user or a wrong password: the server does not say which,
	// and the sentence names both.
	case session.CodeEmptyPassword, session.CodeWrongCredentials:
		return f.passErr
	case session.CodeInvalidKind:
		return f.kindErr
	case session.CodeLocked:
		switch settings.LockedFromArg(code.Arg()).Setting {
		case settings.KeyServer:
			return f.serverErr
		case settings.KeyKind:
			return f.kindErr
		}
	}
	return nil
}

// onCancel gives the login under way up: the form is the user's again at
// once, and the resident ends what the server may still open.
func (f *loginForm) onCancel() {
	if f.cancel.Hidden || f.cancelling {
		return
	}
	u := f.u
	f.attempt++ // its answer is no longer this form's
	f.submitted = false
	f.cancelling = true
	f.setBusy(false)
	f.clearErrors()
	f.showLoginError(session.ErrLoginCancelled)
	f.focusFirstEmpty()
	u.call(func(ctx context.Context) func() {
		_, err := u.backend.CancelLogin(ctx)
		return func() {
			f.cancelling = false
			f.setBusy(f.submitted) // a login asked for meanwhile keeps the form busy
			if err != nil {
				u.log.Warn("cancelling the login", "err", err)
				f.showError(u.describe(err))
			}
		}
	})
}

// loggingIn follows the resident into a login: this window's, once taken
// up, or another client's.
func (f *loginForm) loggingIn() {
	if f.submitted {
		f.begun = true
	}
	f.setBusy(true)
}

// loggedOut follows the resident to a state with no session: the end of a
// login, says why it failed if it was this window's.
func (f *loginForm) loggedOut(s session.Snapshot) {
	if f.submitted && !f.begun {
		// The state before this window's login (the end of one that was
		// cancelled, which the new one waits for): not its outcome.
		return
	}
	f.setBusy(false)
	if f.submitted && s.LastError != nil {
		f.attempt++ // its outcome is shown: the call's answer adds nothing
		f.clearErrors()
		f.showLoginError(s.LastError)
	}
	f.submitted = false
}

// setBusy disables the form while a login is under way, or while the
// resident has not answered; what the administrator fixed stays disabled.
func (f *loginForm) setBusy(busy bool) {
	u := f.u
	locked := u.info.Locked
	for _, field := range []struct {
		w     fyne.Disableable
		fixed bool // by the administrator
	}{{f.server, locked.Server}, {f.user, false}, {f.pass, false}, {f.kind, locked.Kind}, {f.submit, f.cancelling}} {
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
		f.cancel.Show()
	} else {
		f.submit.SetText(u.msg.T("window.login"))
		f.busy.Hide()
		f.cancel.Hide()
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

// showError shows text on the line that concerns no field.
func (f *loginForm) showError(text string) {
	f.errText.SetText(text)
	f.errText.Importance = widget.DangerImportance
	f.errText.Show()
	f.errTextTried = false
}

func (f *loginForm) hideError() { f.errText.Hide() }

// showFieldError shows text under a field.
func (f *loginForm) showFieldError(note *widget.Label, text string) {
	note.SetText(text)
	note.Show()
}

// clearErrors hides what was said of the last login, before the next.
func (f *loginForm) clearErrors() {
	for _, n := range []*widget.Label{f.serverErr, f.userErr, f.passErr, f.kindErr} {
		n.Hide()
	}
	if f.errTextTried {
		f.hideError()
	}
}

// changed follows the user's change of a field: what was wrong with it,
// and what the last login's failure said in general, no longer holds.
func (f *loginForm) changed(notes ...*widget.Label) {
	for _, n := range notes {
		n.Hide()
	}
	if f.errTextTried {
		f.hideError()
		f.errTextTried = false
	}
}

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
