package window

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

// callTimeout bounds a socket call; a login waits for the server too.
const callTimeout = 45 * time.Second

// ui is the window's widgets and state. Its fields are touched only on the
// UI thread (in Fyne callbacks or fyne.Do).
type ui struct {
	ctx     context.Context
	backend Backend
	msg     *i18n.Catalog
	log     *slog.Logger
	win     fyne.Window
	quit    func()

	info        control.Info
	status      control.Status
	submitted   bool   // this window asked for the login under way
	tried       string // the server of this window's last login, for its errors
	stateKnown  bool
	loggingOut  bool
	closeWhenIn bool // close once logged in (there is a tray to go back to)

	banner  *widget.Label
	demo    *widget.Label
	server  *widget.Entry
	user    *widget.Entry
	pass    *widget.Entry
	kind    *widget.RadioGroup
	kindFix *widget.Label // says the administrator fixed the kind
	keep    *widget.Check
	keepWhy *widget.Label
	errText *widget.Label
	// reconnect asks the resident again after it could not be reached.
	reconnect *widget.Button
	submit    *widget.Button
	busy      *widget.ProgressBarInfinite
	form      *widget.Form
	login     *fyne.Container

	// autostart is shown when the resident can start the app with the
	// system; a change applies at once.
	autostart    *widget.Check
	autostartFix *widget.Label

	sesState  *widget.Label
	sesUser   *widget.Label
	sesServer *widget.Label
	sesSince  *widget.Label
	sesKind   *widget.Label
	sesError  *widget.Label
	endButton *widget.Button
	sesBusy   *widget.ProgressBarInfinite
	session   *fyne.Container

	about *widget.Button // "Acerca de": version and log file, for support

	stack *fyne.Container
}

func newUI(ctx context.Context, backend Backend, msg *i18n.Catalog, log *slog.Logger, win fyne.Window, quit func()) *ui {
	u := &ui{ctx: ctx, backend: backend, msg: msg, log: log, win: win, quit: quit}
	u.buildLogin()
	u.buildSession()
	u.banner = note(widget.WarningImportance)
	u.stack = container.NewStack(u.login, u.session)
	u.session.Hide()
	u.about = widget.NewButton(msg.T("window.about"), u.showAbout)
	u.about.Importance = widget.LowImportance
	u.about.Disable()    // until the resident has said what to show
	u.setLoginBusy(true) // until the resident has answered
	return u
}

// note is a line of wrapped text shown only when there is something to say.
func note(importance widget.Importance) *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = importance
	l.Hide()
	return l
}

// call runs a call to the resident off the UI thread, within callTimeout,
// and then what it returns on the UI thread.
func (u *ui) call(do func(ctx context.Context) (then func())) {
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, callTimeout)
		defer cancel()
		fyne.Do(do(ctx))
	}()
}

func (u *ui) content() fyne.CanvasObject {
	footer := container.NewHBox(layout.NewSpacer(), u.about)
	return container.New(&fitLayout{changed: u.refit},
		container.NewPadded(container.NewBorder(u.banner, footer, nil, nil, u.stack)))
}

// refit sizes the window to its content once the change under way is laid
// out (see fitLayout). It is called while Fyne lays the window out, on the
// UI thread, so the resize is queued rather than done there.
func (u *ui) refit() {
	go fyne.Do(u.fit)
}

// fit sizes the window to what it shows now.
func (u *ui) fit() {
	u.win.Content().Refresh()
	u.win.Resize(fyne.NewSize(max(u.win.Canvas().Size().Width, 460), u.win.Content().MinSize().Height))
}

func (u *ui) buildLogin() {
	t := u.msg.T
	u.server = widget.NewEntry()
	u.server.SetPlaceHolder(t("window.server_placeholder"))
	u.user = widget.NewEntry()
	u.user.SetPlaceHolder(t("window.user_placeholder"))
	u.pass = widget.NewPasswordEntry() // has its own show/hide button
	u.server.OnSubmitted = func(string) { u.focusNextOrSubmit() }
	u.user.OnSubmitted = func(string) { u.focusNextOrSubmit() }
	u.pass.OnSubmitted = func(string) { u.onSubmit() }

	u.kind = widget.NewRadioGroup([]string{t("window.kind_user"), t("window.kind_agent")}, nil)
	u.kind.Horizontal = true
	u.kind.Required = true
	u.kind.SetSelected(t("window.kind_user"))
	u.kindFix = lockedNote(t)
	u.keep = widget.NewCheck(t("window.remember"), nil)
	u.keepWhy = note(widget.LowImportance)
	u.autostart = widget.NewCheck(t("window.autostart"), nil)
	u.autostart.Hide()
	u.autostartFix = lockedNote(t)

	u.demo = note(widget.HighImportance)

	form := widget.NewForm(
		widget.NewFormItem(t("window.server"), u.server),
		widget.NewFormItem(t("window.user"), u.user),
		widget.NewFormItem(t("window.password"), u.pass),
	)
	form.Items[0].HintText = t("window.server_hint")
	u.form = form
	more := widget.NewAccordion(widget.NewAccordionItem(t("window.more"),
		container.NewVBox(widget.NewLabel(t("window.kind")), u.kind, u.kindFix, u.keep, u.keepWhy, u.autostart, u.autostartFix)))

	u.errText = note(widget.DangerImportance)
	u.reconnect = widget.NewButton(t("window.reconnect"), u.onReconnect)
	u.reconnect.Hide()
	u.submit = widget.NewButton(t("window.login"), u.onSubmit)
	u.submit.Importance = widget.HighImportance
	u.busy = widget.NewProgressBarInfinite()
	u.busy.Hide()
	u.login = container.NewVBox(
		widget.NewLabelWithStyle(t("window.heading"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		u.demo, form, more, u.errText, u.reconnect, u.busy, u.submit,
	)
}

func (u *ui) buildSession() {
	t := u.msg.T
	label := func() *widget.Label { return widget.NewLabel("") }
	u.sesState = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.sesUser, u.sesServer, u.sesSince, u.sesKind = label(), label(), label(), label()
	u.sesError = note(widget.DangerImportance)
	u.endButton = widget.NewButton(t("tray.logout"), u.onEndSession)
	u.endButton.Importance = widget.DangerImportance
	u.sesBusy = widget.NewProgressBarInfinite()
	u.sesBusy.Hide()
	details := widget.NewForm(
		widget.NewFormItem(t("window.user"), u.sesUser),
		widget.NewFormItem(t("window.server"), u.sesServer),
		widget.NewFormItem(t("window.since"), u.sesSince),
		widget.NewFormItem(t("window.kind"), u.sesKind),
	)
	u.session = container.NewVBox(u.sesState, details, u.sesError, u.sesBusy, u.endButton)
}

// connect asks the resident for what the form needs and follows its state.
// It runs on its own goroutine.
func (u *ui) connect() {
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	info, err := u.backend.Info(ctx)
	cancel()
	if err != nil {
		fyne.Do(func() { u.showUnreachable(err) })
		return
	}
	events, err := u.backend.Watch(u.ctx)
	if err != nil {
		fyne.Do(func() { u.showUnreachable(err) })
		return
	}
	fyne.Do(func() { u.applyInfo(info) })
	for e := range events {
		if e.NoTray != nil {
			reason := *e.NoTray
			fyne.Do(func() { u.applyTray(reason) })
		}
		switch {
		case e.Raise:
			fyne.Do(func() { u.win.RequestFocus() })
		case e.Status != nil:
			st := *e.Status
			fyne.Do(func() { u.applyStatus(st) })
		}
	}
	if u.ctx.Err() == nil {
		fyne.Do(func() { u.showUnreachable(control.ErrNoResident) })
	}
}

func (u *ui) applyInfo(info control.Info) {
	t := u.msg.T
	u.info = info
	u.closeWhenIn = info.NoTray == ""
	u.server.SetText(info.Server)
	u.user.SetText(info.User)
	if info.Kind == session.KindAgent {
		u.kind.SetSelected(t("window.kind_agent"))
	}
	u.keep.SetChecked(info.Remember)
	if info.SavedPassword {
		u.pass.SetPlaceHolder(t("window.password_saved"))
	}
	if info.KeyringError != "" {
		u.keep.SetChecked(false)
		u.keep.Disable()
		u.keepWhy.SetText(t("window.remember_unavailable") + " " + messages.Describe(u.msg, session.ErrorFromCode(info.KeyringError, ""), session.Snapshot{}))
		u.keepWhy.Show()
	}
	if info.Demo != nil {
		u.demo.SetText(t("window.demo", "Server", info.Demo.Server, "User", info.Demo.User, "Password", info.Demo.Password))
		u.demo.Show()
	}
	if info.Locked.Server {
		u.form.Items[0].HintText = t("window.locked")
	}
	if info.Locked.Kind {
		u.kindFix.Show()
	}
	if info.Autostart != nil {
		u.autostart.SetChecked(*info.Autostart) // before OnChanged: not a change the user made
		u.autostart.OnChanged = u.onAutostart
		u.autostart.Show()
		if info.Locked.Autostart {
			u.autostart.Disable()
			if info.AutostartForAllUsers {
				u.autostartFix.SetText(t("window.autostart_all_users"))
			}
			u.autostartFix.Show()
		}
	}
	u.showBanner()
	u.about.Enable()
	u.setLoginBusy(false)
	u.focusFirstEmpty()
	// For support, and for the tests of a packaged app: what the
	// administrator fixed, as the form shows it.
	u.log.Info("login form ready", "server", info.Server, "locked_server", info.Locked.Server,
		"locked_kind", info.Locked.Kind, "locked_autostart", info.Locked.Autostart,
		"autostart_for_all_users", info.AutostartForAllUsers)
}

// applyTray follows the tray: a panel that appears after the window
// opened takes the place the window held, and one that went for good
// leaves it to the window again.
func (u *ui) applyTray(noTray string) {
	if noTray == u.info.NoTray {
		return
	}
	u.info.NoTray = noTray
	u.closeWhenIn = noTray == ""
	u.showBanner()
}

// showBanner shows, above the form, why the window stands in for the tray
// and what of the administrator's presets could not be used.
func (u *ui) showBanner() {
	t := u.msg.T
	var banner []string
	switch u.info.NoTray {
	case "no-bus":
		banner = append(banner, t("window.no_tray_bus"))
	case "no-host":
		banner = append(banner, t("window.no_tray_host"))
	}
	for _, p := range u.info.PresetProblems {
		banner = append(banner, messages.PresetProblem(u.msg, p))
	}
	if len(banner) == 0 {
		u.banner.Hide()
		return
	}
	u.banner.SetText(strings.Join(banner, "\n\n"))
	u.banner.Show()
}

// showAbout shows the version and the log file, which support asks for:
// selectable, to paste into a ticket.
func (u *ui) showAbout() {
	t := u.msg.T
	value := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Selectable = true
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	logPath := u.info.LogPath
	if logPath == "" {
		logPath = t("about.no_log")
	}
	form := widget.NewForm(
		widget.NewFormItem(t("about.version"), value(u.info.Version)),
		widget.NewFormItem(t("about.log"), value(logPath)),
	)
	if u.info.CAFile != "" {
		form.Append(t("about.ca_file"), value(u.info.CAFile))
	}
	d := dialog.NewCustom(t("about.title"), t("about.close"), form, u.win)
	d.Resize(fyne.NewSize(u.win.Canvas().Size().Width-2*theme.Padding(), 0))
	d.Show()
}

// applyStatus follows the resident's state.
func (u *ui) applyStatus(st control.Status) {
	first := !u.stateKnown
	u.stateKnown = true
	prev := u.status
	u.status = st
	snap := st.Snapshot()
	switch snap.State {
	case session.LoggedOut:
		u.showLogin()
		u.setLoginBusy(false)
		if prev.State == session.LoggingIn.String() && u.submitted && snap.LastError != nil {
			u.showError(u.describe(snap.LastError))
		}
		u.submitted = false
	case session.LoggingIn:
		u.showLogin()
		u.setLoginBusy(true)
	case session.LoggedIn:
		if u.submitted && u.closeWhenIn {
			u.log.Info("logged in; closing the window")
			u.quit()
			return
		}
		u.submitted = false
		u.showSession(snap)
	case session.LoggingOut, session.LogoutPending:
		u.showSession(snap)
	}
	if first {
		u.focusFirstEmpty()
	}
}

func (u *ui) showLogin() {
	if !u.login.Visible() {
		u.session.Hide()
		u.login.Show()
		u.win.SetTitle(u.msg.T("window.title"))
		u.focusFirstEmpty()
	}
}

func (u *ui) showSession(s session.Snapshot) {
	t := u.msg.T
	if !u.session.Visible() {
		u.login.Hide()
		u.session.Show()
		u.win.SetTitle(t("window.session_title"))
	}
	u.sesUser.SetText(s.User)
	u.sesServer.SetText(messages.ServerName(s.Server))
	u.sesSince.SetText(s.Since.Local().Format("02/01/2006 15:04"))
	kind := messages.KindName(u.msg, s.Kind)
	if s.Extension != "" {
		kind = t("window.kind_extension", "Kind", kind, "Extension", s.Extension)
	}
	u.sesKind.SetText(kind)
	busy := s.State == session.LoggingOut
	switch s.State {
	case session.LogoutPending:
		u.sesState.SetText(t("tray.pending", "User", s.User, "Server", messages.ServerName(s.Server)))
		u.endButton.SetText(t("window.retry"))
	case session.LoggingOut:
		u.sesState.SetText(t("status.logging_out"))
	default:
		u.sesState.SetText(t("window.logged_in"))
		u.endButton.SetText(t("tray.logout"))
	}
	if s.LastError != nil && s.State == session.LogoutPending {
		u.sesError.SetText(messages.Describe(u.msg, s.LastError, s) + " " + t("notify.pending"))
		u.sesError.Show()
	} else {
		u.sesError.Hide()
	}
	if busy || u.loggingOut {
		u.endButton.Disable()
		u.sesBusy.Show()
	} else {
		u.endButton.Enable()
		u.sesBusy.Hide()
	}
}

// onSubmit checks the form and asks the resident to log in.
func (u *ui) onSubmit() {
	if u.submit.Disabled() {
		return
	}
	t := u.msg.T
	req := control.LoginRequest{
		Server:   strings.TrimSpace(u.server.Text),
		User:     strings.TrimSpace(u.user.Text),
		Password: u.pass.Text,
		Kind:     session.KindUser,
		Remember: u.keep.Checked && !u.keep.Disabled(),
	}
	if u.kind.Selected == t("window.kind_agent") {
		req.Kind = session.KindAgent
	}
	switch {
	case req.Server == "":
		u.showError(t("usage.need_server_window"))
		u.win.Canvas().Focus(u.server)
		return
	case req.User == "":
		u.showError(t("err.empty_user"))
		u.win.Canvas().Focus(u.user)
		return
	case req.Password == "" && u.info.SavedPassword && req.Server == u.info.Server && req.User == u.info.User:
		req.UseSavedPassword = true
	case req.Password == "":
		u.showError(t("err.empty_password"))
		u.win.Canvas().Focus(u.pass)
		return
	}
	u.hideError()
	u.setLoginBusy(true)
	u.submitted = true
	u.tried = req.Server
	u.call(func(ctx context.Context) func() {
		_, err := u.backend.Login(ctx, req)
		return func() { u.loginDone(err) }
	})
}

func (u *ui) loginDone(err error) {
	if err == nil {
		return // the watch stream brings the new state
	}
	u.submitted = false
	u.setLoginBusy(false)
	u.showError(u.describe(err))
	switch {
	case errors.Is(err, session.ErrEmptyPassword):
		u.win.Canvas().Focus(u.pass)
	case session.ErrorCode(err) == session.CodeWrongCredentials:
		u.pass.SetText("")
		u.win.Canvas().Focus(u.pass)
	case session.ErrorCode(err) == session.CodeInvalidServer:
		u.win.Canvas().Focus(u.server)
	}
}

// onAutostart asks the resident to start the app with the system, or to
// stop doing so; the box stays still until it has answered.
func (u *ui) onAutostart(on bool) {
	u.autostart.Disable()
	u.call(func(ctx context.Context) func() {
		err := u.backend.ChangeSettings(ctx, control.SettingsRequest{Autostart: &on})
		return func() { u.autostartDone(on, err) }
	})
}

// autostartDone shows how a change of autostart ended: on failure the box
// goes back to what is true, and the error says why.
func (u *ui) autostartDone(on bool, err error) {
	u.autostart.Enable()
	if err == nil {
		return
	}
	u.log.Warn("changing start with the system", "err", err)
	onChanged := u.autostart.OnChanged
	u.autostart.OnChanged = nil // putting it back is not a change to send
	u.autostart.SetChecked(!on)
	u.autostart.OnChanged = onChanged
	if session.ErrorCode(err).Kind() == session.CodeLocked || errors.Is(err, control.ErrNoResident) || errors.Is(err, control.ErrNotAnswering) {
		u.showError(u.describe(err))
	} else {
		u.showError(u.msg.T("window.autostart_failed", "Reason", err.Error()))
	}
}

func (u *ui) onEndSession() {
	u.loggingOut = true
	u.endButton.Disable()
	u.sesBusy.Show()
	u.call(func(ctx context.Context) func() {
		_, err := u.backend.Logout(ctx)
		return func() {
			u.loggingOut = false
			if err != nil && !errors.Is(err, session.ErrNotLoggedIn) {
				u.sesError.SetText(u.describe(err))
				u.sesError.Show()
			}
			u.applyStatus(u.status)
		}
	})
}

// onClose: with a tray, the window just goes; without one it is the app, so
// closing it quits, ending the session first after asking.
func (u *ui) onClose() {
	if u.info.NoTray == "" {
		u.quit()
		return
	}
	quitApp := func() {
		u.call(func(ctx context.Context) func() {
			if err := u.backend.Quit(ctx); err != nil {
				u.log.Warn("asking the app to quit", "err", err)
			}
			return u.quit
		})
	}
	if u.status.State == session.LoggedOut.String() || u.status.State == "" {
		quitApp()
		return
	}
	t := u.msg.T
	dialog.ShowConfirm(t("window.quit_title"), t("window.quit_question"), func(ok bool) {
		if ok {
			quitApp()
		}
	}, u.win)
}

func (u *ui) setLoginBusy(busy bool) {
	locked := u.info.Locked
	for _, f := range []struct {
		w     fyne.Disableable
		fixed bool // by the administrator
	}{{u.server, locked.Server}, {u.user, false}, {u.pass, false}, {u.kind, locked.Kind}, {u.submit, false}} {
		if busy || f.fixed {
			f.w.Disable()
		} else {
			f.w.Enable()
		}
	}
	if u.info.KeyringError == "" && !busy {
		u.keep.Enable()
	} else {
		u.keep.Disable()
	}
	u.form.Refresh() // the labels follow their fields' enabled state
	if busy && u.stateKnown {
		u.submit.SetText(u.msg.T("status.logging_in"))
		u.busy.Show()
	} else {
		u.submit.SetText(u.msg.T("window.login"))
		u.busy.Hide()
	}
}

func (u *ui) focusNextOrSubmit() {
	if !u.focusFirstEmpty() {
		u.onSubmit()
	}
}

// focusFirstEmpty puts the cursor in the first empty field, and reports
// whether there was one.
func (u *ui) focusFirstEmpty() bool {
	if !u.login.Visible() {
		return false
	}
	for _, e := range []*widget.Entry{u.server, u.user, u.pass} {
		if e.Text == "" && !(e == u.pass && u.info.SavedPassword) {
			u.win.Canvas().Focus(e)
			return true
		}
	}
	u.win.Canvas().Focus(u.pass)
	return false
}

func (u *ui) showError(text string) {
	u.errText.SetText(text)
	u.errText.Show()
}

func (u *ui) hideError() { u.errText.Hide() }

// showUnreachable says the resident cannot be reached, and offers to try
// again: nothing else in this window can work without it.
func (u *ui) showUnreachable(err error) {
	u.log.Warn("tray app not reachable", "err", err)
	u.showLogin()
	u.stateKnown = false // disabled until it answers, not logging in
	u.setLoginBusy(true)
	u.showError(u.describe(err))
	u.reconnect.Show()
}

// onReconnect asks the resident again for what the window needs.
func (u *ui) onReconnect() {
	u.reconnect.Hide()
	u.hideError()
	go u.connect()
}

func (u *ui) describe(err error) string {
	snap := u.status.Snapshot()
	if snap.Server == "" {
		snap.Server = u.tried // a failed login's status names no server
	}
	return messages.Describe(u.msg, err, snap)
}

// lockedNote is the hidden "set by the administrator" line under a setting.
func lockedNote(t func(string, ...any) string) *widget.Label {
	l := widget.NewLabel(t("window.locked"))
	l.Importance = widget.LowImportance
	l.Hide()
	return l
}
