package window

import (
	"context"
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

// ui is the window: what its screens share (the resident, the messages,
// the Fyne window, the resident's state) and which screen it shows, the
// login form or the session. Its fields, and its screens', are touched only
// on the UI thread (in Fyne callbacks or fyne.Do).
type ui struct {
	ctx     context.Context
	backend Backend
	msg     *i18n.Catalog
	log     *slog.Logger
	win     fyne.Window
	quit    func()
	pending pending // safe from any goroutine

	info        control.Info
	status      control.Status
	stateKnown  bool
	closeWhenIn bool // close once logged in (there is a tray to go back to)

	login   *loginForm
	session *sessionView
	about   *about
	// banner says, above either screen, why the window stands in for the
	// tray and what of the administrator's presets could not be used.
	banner *widget.Label
	stack  *fyne.Container
	// dialog is the dialog shown over the window, if any, for Escape to
	// close.
	dialog dialog.Dialog
	// desk is the screen, to keep the window on (nil: no limit), and
	// roomWidth × roomHeight the most the window may take there, in
	// pixels (0: no limit).
	desk                  desk
	roomWidth, roomHeight int
}

func newUI(ctx context.Context, backend Backend, msg *i18n.Catalog, log *slog.Logger, win fyne.Window, quit func()) *ui {
	u := &ui{ctx: ctx, backend: backend, msg: msg, log: log, win: win, quit: quit}
	u.login = newLoginForm(u)
	u.session = newSessionView(u)
	u.banner = note(widget.WarningImportance)
	u.stack = container.NewStack(u.login.box, u.session.box)
	u.session.box.Hide()
	u.about = newAbout(u)
	u.login.setBusy(true) // until the resident has answered
	// Keys reach the canvas when no field has the focus, a dialog's
	// included; a focused field passes Escape on itself (see entry).
	win.Canvas().SetOnTypedKey(func(key *fyne.KeyEvent) {
		if key.Name == fyne.KeyEscape {
			u.onEscape()
		}
	})
	return u
}

// showDialog shows d over the window, where Escape closes it.
func (u *ui) showDialog(d dialog.Dialog) {
	u.dialog = d
	d.SetOnClosed(func() {
		if u.dialog == d {
			u.dialog = nil
		}
	})
	d.Show()
}

// note is a line of wrapped text shown only when there is something to say.
func note(importance widget.Importance) *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = importance
	l.Hide()
	return l
}

// lockedNote is the hidden "set by the administrator" line under a setting.
func lockedNote(t func(string, ...any) string) *widget.Label {
	l := widget.NewLabel(t("window.locked"))
	l.Importance = widget.LowImportance
	l.Hide()
	return l
}

// call runs a call to the resident off the UI thread, within callTimeout,
// and then what it returns on the UI thread.
func (u *ui) call(do func(ctx context.Context) (then func())) {
	u.pending.add(1, 0)
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, callTimeout)
		defer cancel()
		then := do(ctx)
		fyne.Do(func() {
			then()
			u.pending.add(-1, 0)
		})
	}()
}

func (u *ui) content() fyne.CanvasObject {
	footer := container.NewHBox(layout.NewSpacer(), u.about.button)
	inner := container.NewPadded(container.NewBorder(u.banner, footer, nil, nil, u.stack))
	u.updateRoom()
	return container.New(&fitLayout{content: inner, room: u.maxContent, changed: u.refit},
		container.NewScroll(inner))
}

// updateRoom asks the desk how much room the window has.
func (u *ui) updateRoom() {
	if u.desk != nil {
		u.roomWidth, u.roomHeight = u.desk.room()
	}
}

// maxContent is the most the window's content may take, in Fyne units at
// the window's scale now (Fyne learns it as it makes the window), less
// Fyne's padding around it; 0 for no limit.
func (u *ui) maxContent() fyne.Size {
	scale, pad := u.win.Canvas().Scale(), u.padding()
	var room fyne.Size
	if u.roomWidth > 0 {
		room.Width = max(float32(u.roomWidth)/scale-pad, 1)
	}
	if u.roomHeight > 0 {
		room.Height = max(float32(u.roomHeight)/scale-pad, 1)
	}
	return room
}

// padding is what Fyne puts around a window's content, both sides.
func (u *ui) padding() float32 {
	if !u.win.Padded() {
		return 0
	}
	return 2 * theme.Padding()
}

// width is the window's width: 460, or as wide as the user made it, but
// no wider than the work area (at 3× a 1280-pixel screen is 427 wide).
func (u *ui) width() float32 {
	w := max(u.win.Canvas().Size().Width, 460)
	if room := u.maxContent().Width; room > 0 {
		w = min(w, room)
	}
	return w
}

// refit sizes the window to its content once the change under way is laid
// out (see fitLayout). It is called while Fyne lays the window out, on the
// UI thread, so the resize is queued rather than done there.
func (u *ui) refit() {
	u.pending.add(1, 0)
	go fyne.Do(func() {
		u.fit()
		u.pending.add(-1, 0)
	})
}

// fit sizes the window to what it shows now, no taller than the work area,
// and keeps it on the screen.
func (u *ui) fit() {
	u.updateRoom()
	u.win.Content().Refresh()
	// Fyne gives the window its content's minimum size as a limit at the
	// next frame; until then Windows and X11 window managers keep the
	// window from shrinking below the former minimum. Setting the same
	// resizability sets the limit now.
	u.win.SetFixedSize(u.win.FixedSize())
	size := fyne.NewSize(u.width(), u.win.Content().MinSize().Height)
	u.win.Resize(size)
	if u.desk != nil {
		u.desk.keepOnScreen(size.AddWidthHeight(u.padding(), u.padding()))
	}
}

// watch connects to the resident: it asks for what the form needs and then
// follows the resident's state, on a goroutine of its own.
func (u *ui) watch() {
	u.pending.add(1, 1) // a call until the form is ready, then a watch
	go u.connect()
}

// connect is watch's goroutine.
func (u *ui) connect() {
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	info, err := u.backend.Info(ctx)
	cancel()
	var events <-chan control.Event
	if err == nil {
		events, err = u.backend.Watch(u.ctx)
	}
	if err != nil {
		fyne.Do(func() {
			u.showUnreachable(err)
			u.pending.add(-1, -1)
		})
		return
	}
	fyne.Do(func() {
		u.applyInfo(info)
		u.pending.add(-1, 0)
	})
	u.follow(events)
}

// follow applies the resident's events until the stream ends.
func (u *ui) follow(events <-chan control.Event) {
	for e := range events {
		if e.Quitting {
			// The tray app quits, and the window with it: no failure to
			// report, in the log or on screen.
			fyne.Do(func() {
				u.log.Info("the tray app quits; closing the window")
				u.quit()
				u.pending.add(0, -1)
			})
			return
		}
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
	if u.ctx.Err() != nil {
		u.pending.add(0, -1)
		return
	}
	// The stream ended without a word: the tray app has crashed or was
	// killed. The window goes too rather than stay there dead; a tray app
	// started again opens a window of its own if it needs one.
	fyne.Do(func() {
		u.log.Info("the tray app is gone; closing the window")
		u.quit()
		u.pending.add(0, -1)
	})
}

func (u *ui) applyInfo(info control.Info) {
	u.info = info
	u.closeWhenIn = info.NoTray == ""
	u.login.applyInfo(info)
	u.showBanner()
	u.about.button.Enable()
	u.login.setBusy(false)
	u.login.focusFirstEmpty()
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
	if rs := u.info.Recovered; rs != nil {
		banner = append(banner, t("notify.recovered", "User", rs.User, "Server", messages.ServerName(rs.Server)))
	}
	if len(banner) == 0 {
		u.banner.Hide()
		return
	}
	u.banner.SetText(strings.Join(banner, "\n\n"))
	u.banner.Show()
}

// applyStatus follows the resident's state: it picks the screen, and
// closes the window after a login it asked for when there is a tray.
func (u *ui) applyStatus(st control.Status) {
	first := !u.stateKnown
	u.stateKnown = true
	u.status = st
	snap := st.Snapshot()
	switch snap.State {
	case session.LoggedOut:
		u.showLogin()
		u.login.loggedOut(snap)
	case session.LoggingIn:
		u.showLogin()
		u.login.loggingIn()
	case session.LoggedIn:
		if u.login.submitted && u.closeWhenIn {
			u.log.Info("logged in; closing the window")
			u.quit()
			return
		}
		u.login.submitted = false
		u.showSession(snap)
	case session.LoggingOut, session.LogoutPending:
		u.showSession(snap)
	}
	if first {
		u.login.focusFirstEmpty()
	}
}

func (u *ui) showLogin() {
	if !u.login.box.Visible() {
		u.session.box.Hide()
		u.login.box.Show()
		u.win.SetTitle(u.msg.T("window.title"))
		u.login.focusFirstEmpty()
	}
}

func (u *ui) showSession(s session.Snapshot) {
	if !u.session.box.Visible() {
		u.login.box.Hide()
		u.session.box.Show()
		u.win.SetTitle(u.msg.T("window.session_title"))
		if u.info.Recovered != nil {
			// A new session: the one a crash left is old news.
			u.info.Recovered = nil
			u.showBanner()
		}
	}
	u.session.show(s)
}

// showUnreachable says the resident cannot be reached: nothing in this
// window can work without it.
func (u *ui) showUnreachable(err error) {
	u.log.Warn("tray app not reachable", "err", err)
	u.showLogin()
	u.stateKnown = false // disabled until it answers, not logging in
	u.login.showUnreachable(u.describe(err))
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
	// The buttons are the app's words: Fyne's own Yes/No follow Fyne's
	// language, which need not be the app's.
	question := &widget.Label{Text: t("window.quit_question"), Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	d := dialog.NewCustomConfirm(t("window.quit_title"), t("window.quit_confirm"), t("window.quit_cancel"), question, func(ok bool) {
		if ok {
			quitApp()
		}
	}, u.win)
	d.Resize(fyne.NewSize(400, 0))
	u.showDialog(d)
}

func (u *ui) describe(err error) string {
	snap := u.status.Snapshot()
	if snap.Server == "" {
		snap.Server = u.login.tried // a failed login's status names no server
	}
	return messages.Describe(u.msg, err, snap)
}
