// Package resident is the process that runs all day: it holds the session,
// serves the control socket, shows the tray icon (fyne.io/systray, never
// Fyne) and starts the login window as a process of its own when needed.
// If the window crashes, the session and its protection live on.
package resident

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/app/notify"
	"ucontact-tray/app/tray"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/shutdown"
	"ucontact-tray/session/ucontact"
)

// ErrAlreadyRunning is returned by Run when another resident was running:
// it was asked to show its window instead.
var ErrAlreadyRunning = control.ErrAlreadyRunning

// quitLogoutTimeout bounds the logout that Salir does before quitting.
const quitLogoutTimeout = 10 * time.Second

// Reasons there is no tray icon, as control.Info.NoTray carries them.
const (
	noTrayBus  = "no-bus"  // no session bus: systray would crash
	noTrayHost = "no-host" // no status-notifier host: the icon would be invisible
)

// notifyTimeout bounds showing a notification, and waiting for the tray
// icon it may come from.
const notifyTimeout = 3 * time.Second

// Config sets the resident up.
type Config struct {
	StateDir  string // session record, settings, fallback token
	SocketDir string // control socket and instance lock
	Keyring   secrets.Backend
	Version   string
	Msg       *i18n.Catalog
	Log       *slog.Logger
	// LogPath is the log's file, shown in the window's "Acerca de"; "" if
	// there is none.
	LogPath  string
	Notifier notify.Notifier
	// Window is the login window's program (ucontact-tray-window, next to
	// this one).
	Window string
	// Demo is set in demo mode, for the window to show the credentials.
	Demo *control.DemoAccount
	// Presets are the administrator's system-wide settings, read at start.
	Presets settings.Presets
	// Autostart starts the app with the system; nil where it cannot (demo).
	Autostart Autostarter

	// CAFile is the file of extra certificates the server is trusted with
	// ("" for the system's alone), and RootCAs the pool made from it.
	CAFile  string
	RootCAs *x509.CertPool
	// CAFileProblem is why the ca_file setting could not be used; the
	// resident says so, and goes on with the system's certificates.
	CAFileProblem error
	// SettingsProblem is why the user's settings could not be read at
	// start (settings.Load's error); the resident says so, and goes on
	// with the defaults.
	SettingsProblem error
}

// Resident is the running tray app.
type Resident struct {
	cfg    Config
	store  *secrets.Store
	m      *session.Manager
	server *control.Server
	// iconShown is closed once the tray icon is up, or at once without a
	// tray: notifications wait for it.
	iconShown    chan struct{}
	showIconOnce sync.Once
	stop         context.CancelFunc
	quitting     sync.Once

	refresh chan struct{} // redraw the tray: something besides the session changed

	mu         sync.Mutex
	noTray     string             // why there is no tray icon; empty when there is one
	window     *exec.Cmd          // the window process, while it runs
	windowDone chan struct{}      // closed when it has ended
	relogin    *settings.Settings // the session a suspend ended, to offer again

	settingsMu sync.Mutex // one change at a time to the settings file and the autostart entry
}

// Run runs the resident until ctx ends or the user quits. It must be called
// from the main goroutine: the tray needs it on some platforms.
func Run(ctx context.Context, cfg Config) error {
	l, err := control.Listen(cfg.SocketDir)
	if errors.Is(err, control.ErrAlreadyRunning) {
		showCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := control.NewClient(control.SocketPath(cfg.SocketDir)).Show(showCtx); err != nil {
			return fmt.Errorf("asking the running tray app to show its window: %w", err)
		}
		return ErrAlreadyRunning
	}
	if err != nil {
		return err
	}
	defer l.Close()
	// Only now, with the instance lock held, is anything logged: the log
	// file has a single writer (see internal/logfile).
	cfg.Log.Info("tray app started", "version", cfg.Version, "pid", os.Getpid(), "log", cfg.LogPath, "ca_file", cfg.CAFile)

	r := &Resident{cfg: cfg, store: secrets.NewStore(cfg.Keyring, cfg.StateDir), refresh: make(chan struct{}, 1)}
	for _, p := range cfg.Presets.Problems {
		cfg.Log.Warn("administrator presets: ignored what could not be used", "problem", p.Error())
	}
	ctx, r.stop = context.WithCancel(ctx)
	defer r.stop()
	// Serve at once, answer once the session is open: a client may connect
	// from the moment the socket exists.
	ready := make(chan struct{})
	r.server = control.NewServer(r, cfg.Log, ready)
	served := make(chan error, 1)
	go func() { served <- r.server.Serve(ctx, l) }()
	defer func() {
		r.stop()
		r.closeWindow()
		if err := <-served; err != nil {
			cfg.Log.Error("control socket", "err", err)
		}
	}()

	// Before ready: the window asks for it.
	itemUp := make(chan struct{})
	noTray, trayChanges := followTrayHost(ctx, cfg.Log, itemUp)
	r.setNoTray(noTray)
	r.iconShown = make(chan struct{})
	if noTray != "" {
		r.iconUp()
	}
	r.m, err = session.Open(ctx, session.Config{
		Dir:     cfg.StateDir,
		Secrets: r.store,
		Client: func(u *url.URL) *ucontact.Client {
			return ucontact.NewClient(u, ucontact.Options{UserAgent: "ucontact-tray/" + cfg.Version, RootCAs: cfg.RootCAs, Logger: cfg.Log})
		},
		Holder: session.HolderResident,
		Retry:  session.DefaultBackoff,
		Log:    cfg.Log,
	})
	if err != nil {
		return err
	}
	defer r.m.Close()
	close(ready)

	osWatch := shutdown.Watch(ctx, cfg.Log)
	defer osWatch.Close()
	go r.followSession(ctx, osWatch)
	go r.followOS(ctx, osWatch)
	go r.recover(ctx)
	go r.applyLockedAutostart()
	if cfg.CAFileProblem != nil {
		go r.reportCAFile(ctx)
	}
	if cfg.SettingsProblem != nil {
		go r.reportSettings(ctx, cfg.SettingsProblem)
	}

	if noTray != "" {
		// Without a tray the window is the only way in: with no window the
		// app could only sit there unseen.
		if err := r.Show(); err != nil {
			return err
		}
		cfg.Log.Warn("no tray icon available; the window stays open instead", "reason", noTray)
	}
	if noTray == noTrayBus {
		<-ctx.Done() // systray needs the bus
		return nil
	}
	// The tray runs without a host too: a panel that starts later finds
	// the icon ready, and the window steps back.
	go r.followTray(ctx, trayChanges)
	r.runTray(ctx, itemUp)
	return nil
}

// followTray follows the desktop's tray host: the window takes the icon's
// place while there is none.
func (r *Resident) followTray(ctx context.Context, changes <-chan string) {
	for reason := range changes {
		r.setNoTray(reason)
		if reason == "" {
			r.cfg.Log.Info("tray icon available; the window is no longer needed open")
			continue
		}
		r.cfg.Log.Warn("no tray icon available; the window stays open instead", "reason", reason)
		r.showWindow(ctx)
	}
}

// setNoTray records why there is no tray icon ("" when there is one), and
// tells the window.
func (r *Resident) setNoTray(reason string) {
	r.mu.Lock()
	r.noTray = reason
	r.mu.Unlock()
	r.server.SetNoTray(reason)
}

// trayMissing is why there is no tray icon now, "" when there is one.
func (r *Resident) trayMissing() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.noTray
}

// runTray shows the tray until ctx ends. itemUp is closed once the icon
// is up.
func (r *Resident) runTray(ctx context.Context, itemUp chan<- struct{}) {
	updates, cancel := r.m.Subscribe()
	defer cancel()
	first := r.model(<-updates)
	tray.Run(first, tray.Handlers{
		Ready: func(t *tray.Tray) {
			r.cfg.Log.Info("tray ready")
			r.iconUp()
			close(itemUp)
			// The window (a Fyne process, heavy to start) after the icon:
			// the tray shows at once, without sharing the CPU with it.
			// Without a host it is open already.
			if r.m.Snapshot().State == session.LoggedOut && r.trayMissing() == "" {
				go r.showWindow(ctx)
			}
			// One goroutine applies and quits: nothing is applied to a tray
			// that is gone.
			go func() {
				defer tray.Quit()
				feed := trayFeed{
					updates: updates, refresh: r.refresh, model: r.model,
					apply: func(m tray.Model) {
						if err := t.Apply(m); err != nil {
							r.cfg.Log.Warn("tray gone; the session is still watched over", "err", err)
						}
					},
					busyDelay: busyDelay, settleAfter: settleAfter, settle: settle,
				}
				feed.run(ctx, r.m.Snapshot())
			}()
		},
		Action:  r.onAction,
		Tapped:  func() { r.Show() }, //nolint:errcheck // logged in Show
		Problem: func(err error) { r.cfg.Log.Warn("tray", "err", err) },
	})
	r.cfg.Log.Info("tray stopped")
}

func (r *Resident) model(s session.Snapshot) tray.Model {
	var x tray.Extras
	r.mu.Lock()
	if r.relogin != nil {
		x.Relogin = r.relogin.User + " @ " + messages.ServerName(r.relogin.Server)
	}
	r.mu.Unlock()
	return tray.Build(s, r.cfg.Msg, x)
}

// redraw asks the tray to show what changed besides the session.
func (r *Resident) redraw() {
	select {
	case r.refresh <- struct{}{}:
	default: // one pending redraw is enough
	}
}

func (r *Resident) onAction(a tray.Action) {
	r.cfg.Log.Info("tray action", "action", a)
	switch a {
	case tray.ActionLogin, tray.ActionOpen:
		r.showWindow(context.Background())
	case tray.ActionLogout, tray.ActionRetry:
		go func() {
			if err := r.m.Logout(context.Background()); err != nil {
				r.cfg.Log.Warn("logout", "err", err)
			}
		}()
	case tray.ActionRelogin:
		go r.loginAgain()
	case tray.ActionQuit:
		r.Quit()
	}
}

// recover ends a session a crashed resident left open, and says so.
func (r *Resident) recover(ctx context.Context) {
	before := r.m.Snapshot()
	ended, err := r.m.Recover(ctx)
	switch {
	case ended:
		r.notify(ctx, r.cfg.Msg.T("notify.recovered_title"),
			r.cfg.Msg.T("notify.recovered", "User", before.User, "Server", messages.ServerName(before.Server)))
	case err != nil:
		r.cfg.Log.Warn("ending the session left by the previous run", "err", err)
	}
}

// reportCAFile says that the ca_file setting could not be used: without
// it, an on-premise server's certificate will be refused.
func (r *Resident) reportCAFile(ctx context.Context) {
	err := r.cfg.CAFileProblem
	r.cfg.Log.Warn("ca_file setting not used; trusting the system's certificates only", "err", err)
	body := messages.Describe(r.cfg.Msg, err, session.Snapshot{})
	if fe := (*ucontact.CAFileError)(nil); errors.As(err, &fe) {
		body += " " + r.cfg.Msg.T("cafile.from_settings")
	}
	r.notify(ctx, r.cfg.Msg.T("notify.cafile_title"), body+" "+r.cfg.Msg.T("notify.cafile_ignored"))
}

// reportSettings says that the user's settings could not be read and the
// defaults are used.
func (r *Resident) reportSettings(ctx context.Context, err error) {
	r.cfg.Log.Warn("settings not read; using the defaults", "err", err)
	r.notify(ctx, r.cfg.Msg.T("notify.settings_title"), messages.SettingsProblem(r.cfg.Msg, err))
}

// followSession holds the OS back while a session is open, and tells the
// user of what changed without their asking: a logout that failed and is
// pending, and a pending one that completed.
func (r *Resident) followSession(ctx context.Context, osWatch *shutdown.Watcher) {
	updates, cancel := r.m.Subscribe()
	defer cancel()
	prev := <-updates
	osWatch.Hold(prev.State != session.LoggedOut)
	for s := range updates {
		osWatch.Hold(s.State != session.LoggedOut)
		if s.State != session.LoggedOut {
			r.setRelogin(nil) // a session is open: nothing to offer again
		}
		if s.State.Busy() {
			continue // judge the outcome, not the steps
		}
		switch {
		case s.State == session.LogoutPending && prev.State != session.LogoutPending:
			r.cfg.Log.Warn("logout pending", "err", s.LastError)
			r.notify(ctx, r.cfg.Msg.T("notify.pending_title"), messages.Describe(r.cfg.Msg, s.LastError, s)+" "+r.cfg.Msg.T("notify.pending"))
		case s.State == session.LoggedOut && prev.State == session.LogoutPending:
			r.notify(ctx, r.cfg.Msg.T("notify.completed_title"),
				r.cfg.Msg.T("notify.completed", "User", prev.User, "Server", messages.ServerName(prev.Server)))
		}
		prev = s
	}
}

func (r *Resident) notify(ctx context.Context, summary, body string) {
	r.cfg.Log.Info("notification", "summary", summary, "body", body)
	// On Windows a notification is a balloon from the tray icon: one about
	// the start (a session ended that a crash left open) must wait for it.
	select {
	case <-r.iconShown:
	case <-time.After(notifyTimeout):
	case <-ctx.Done():
		return
	}
	nctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	if err := r.cfg.Notifier.Notify(nctx, summary, body); err != nil {
		r.cfg.Log.Warn("notification not shown", "err", err)
	}
}

// iconUp says the tray icon is up (or that there will be none).
func (r *Resident) iconUp() { r.showIconOnce.Do(func() { close(r.iconShown) }) }

// followOS ends the session when the OS session ends or the machine goes
// to sleep, within the time the OS gives, using the connection the manager
// already holds. What cannot be ended in time stays on record and is ended
// at the next start.
func (r *Resident) followOS(ctx context.Context, osWatch *shutdown.Watcher) {
	for {
		select {
		case n := <-osWatch.Notices():
			r.onNotice(ctx, n)
		case <-ctx.Done():
			return
		}
	}
}

func (r *Resident) onNotice(ctx context.Context, n shutdown.Notice) {
	switch n.Kind {
	case shutdown.SessionEnding:
		r.endBefore(n)
		r.stop() // the OS session is going: so is the app, without another try
	case shutdown.Suspending:
		if snap := r.m.Snapshot(); r.effective().EndOnSuspend() && snap.State != session.LoggedOut {
			offer := settings.Settings{Server: snap.Server, User: snap.User, Kind: snap.Kind}
			if r.endBefore(n) {
				r.setRelogin(&offer)
			}
		}
		n.Done()
	case shutdown.Resumed:
		r.mu.Lock()
		offer := r.relogin
		r.mu.Unlock()
		if offer != nil {
			who := offer.User + " @ " + messages.ServerName(offer.Server)
			r.notify(ctx, r.cfg.Msg.T("notify.resumed_title"), r.cfg.Msg.T("notify.resumed", "Session", who))
		}
	}
}

// endBefore ends the session, if any, before n's deadline, then tells the
// OS it may go on. It reports whether a session was ended.
func (r *Resident) endBefore(n shutdown.Notice) bool {
	defer n.Done()
	ctx, cancel := context.WithDeadline(context.Background(), n.Deadline)
	defer cancel()
	// The OS may go on once the server has confirmed: the keyring's
	// forgetting of the token follows while it does.
	err := r.m.LogoutThen(ctx, n.Done)
	switch {
	case errors.Is(err, session.ErrNotLoggedIn):
		return false
	case err != nil:
		r.cfg.Log.Warn("ending the session before the OS goes on; kept for the next start", "notice", n.Kind.String(), "err", err)
		return false
	}
	r.cfg.Log.Info("session ended for the OS", "notice", n.Kind.String(), "source", n.Source)
	return true
}

func (r *Resident) setRelogin(offer *settings.Settings) {
	r.mu.Lock()
	changed := (r.relogin == nil) != (offer == nil)
	r.relogin = offer
	r.mu.Unlock()
	if changed {
		r.redraw()
	}
}

// loginAgain logs in again as the session a suspend ended: with the
// remembered password if there is one, through the window otherwise.
func (r *Resident) loginAgain() {
	r.mu.Lock()
	offer := r.relogin
	r.mu.Unlock()
	if offer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kind := offer.Kind
	if !r.m.HasSavedPassword(ctx, offer.Server, offer.User, kind) {
		r.showWindow(ctx)
		return
	}
	err := r.m.Login(ctx, session.LoginRequest{Server: offer.Server, User: offer.User, Kind: kind, Remember: true, UseSavedPassword: true})
	if err != nil {
		r.cfg.Log.Warn("logging in again", "err", err)
		r.showWindow(ctx)
	}
}

// Quit ends the session, if one is open (an app that is not running cannot
// protect the agent), and then stops the resident.
func (r *Resident) Quit() {
	r.quitting.Do(func() {
		go func() {
			defer r.stop()
			if r.m.Snapshot().State == session.LoggedOut {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), quitLogoutTimeout)
			defer cancel()
			if err := r.m.Logout(ctx); err != nil && !errors.Is(err, session.ErrNotLoggedIn) {
				// The record stays: the next start ends the session.
				r.cfg.Log.Warn("logout before quitting failed; it is kept pending", "err", err)
			}
		}()
	})
}

// Show starts the window process, or brings the running one to the front.
func (r *Resident) Show() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.window != nil {
		r.cfg.Log.Info("window raised", "watching", r.server.Raise())
		return nil
	}
	cmd := exec.Command(r.cfg.Window)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return &WindowError{Path: r.cfg.Window, Err: err}
	}
	r.cfg.Log.Info("window started", "pid", cmd.Process.Pid)
	r.window, r.windowDone = cmd, make(chan struct{})
	go r.waitWindow(cmd, r.windowDone)
	return nil
}

// WindowError means the window program could not be started: most often
// it is missing from an incomplete installation.
type WindowError struct {
	Path string
	Err  error
}

func (e *WindowError) Error() string { return fmt.Sprintf("starting the window %s: %v", e.Path, e.Err) }
func (e *WindowError) Unwrap() error { return e.Err }

// showWindow shows the window for the tray, and tells the user when it
// cannot: a click that does nothing would look like a hung app.
func (r *Resident) showWindow(ctx context.Context) {
	err := r.Show()
	if err == nil {
		return
	}
	r.cfg.Log.Error("starting the window", "err", err)
	go r.notify(ctx, r.cfg.Msg.T("notify.window_title"), r.cfg.Msg.T("window.missing", "Path", r.cfg.Window))
}

// closeWindow makes the window process go (without the resident it can do
// nothing): politely first, then by force if it has not gone in a second
// (a window still starting up can miss the polite request).
func (r *Resident) closeWindow() {
	r.mu.Lock()
	cmd, done := r.window, r.windowDone
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	r.cfg.Log.Info("closing the window")
	if err := stopProcess(cmd.Process); err != nil {
		r.cfg.Log.Warn("closing the window", "err", err)
	}
	select {
	case <-done:
	case <-time.After(time.Second):
		cmd.Process.Kill() //nolint:errcheck // it may just have ended
		<-done
	}
}

func (r *Resident) waitWindow(cmd *exec.Cmd, done chan struct{}) {
	err := cmd.Wait()
	r.mu.Lock()
	r.window = nil
	r.mu.Unlock()
	close(done)
	if err != nil {
		// A GL driver crash on a thin client, a kill: the session lives on.
		r.cfg.Log.Warn("window process ended", "err", err)
	} else {
		r.cfg.Log.Info("window closed")
	}
	// Without a tray the window is the only way in: closing it while logged
	// out ends the app, but a session stays protected until it is ended.
	if r.trayMissing() != "" && r.m.Snapshot().State == session.LoggedOut {
		r.stop()
	}
}

// The control.Handler side.

// Login opens a session for a client, and remembers the choices for the
// next time the window opens.
func (r *Resident) Login(ctx context.Context, req control.LoginRequest) error {
	if err := r.effective().Conflict(req.Server, req.Kind); err != nil {
		return err
	}
	err := r.m.Login(ctx, session.LoginRequest{
		Server: req.Server, User: req.User, Password: req.Password, Kind: req.Kind,
		Remember: req.Remember, UseSavedPassword: req.UseSavedPassword,
	})
	if err != nil {
		return err
	}
	// The choices only prefill the next login: saved after the answer.
	go r.rememberChoices(req)
	return nil
}

func (r *Resident) rememberChoices(req control.LoginRequest) {
	err := r.updateSettings(func(s *settings.Settings) error {
		s.Server, s.User, s.Kind, s.Remember = strings.TrimSpace(req.Server), strings.TrimSpace(req.User), req.Kind, req.Remember
		r.autostartByDefault(s)
		return nil
	})
	if err != nil {
		r.cfg.Log.Warn("saving settings", "err", err)
	}
}

func (r *Resident) Logout(ctx context.Context) error { return r.m.Logout(ctx) }
func (r *Resident) Snapshot() session.Snapshot       { return r.m.Snapshot() }
func (r *Resident) Subscribe() (<-chan session.Snapshot, func()) {
	return r.m.Subscribe()
}

// Info is what the window needs to prefill its form.
func (r *Resident) Info(ctx context.Context) control.Info {
	s := r.effective()
	info := control.Info{
		Server: s.Server, User: s.User, Kind: s.Kind, Remember: s.Remember,
		Demo: r.cfg.Demo, NoTray: r.trayMissing(), Version: r.cfg.Version, CAFile: r.cfg.CAFile,
		Locked: s.Locked, PresetProblems: r.cfg.Presets.Problems,
		Autostart: r.autostartState(s), LogPath: r.cfg.LogPath,
	}
	if r.autostartForAllUsers() {
		on := true
		info.Autostart, info.AutostartForAllUsers, info.Locked.Autostart = &on, true, true
	}
	if r.cfg.Demo != nil && info.Server == "" {
		info.Server, info.User = r.cfg.Demo.Server, r.cfg.Demo.User
	}
	kctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.store.Probe(kctx); err != nil {
		info.KeyringError = session.ErrorCode(err)
	} else if info.Server != "" && info.User != "" {
		info.SavedPassword = r.m.HasSavedPassword(kctx, info.Server, info.User, info.Kind)
	}
	return info
}

// effective are the settings in force: the user's, under the
// administrator's presets.
func (r *Resident) effective() settings.Effective {
	return settings.Merge(r.cfg.Presets, r.userSettings())
}

// userSettings reads the user's settings; ones that cannot be read are the
// defaults. The file was read at start, and a damaged one reported then
// (see reportSettings): one damaged since is set aside and logged.
func (r *Resident) userSettings() settings.Settings {
	s, err := settings.Load(r.cfg.StateDir)
	if err != nil {
		r.cfg.Log.Warn("settings not read; using the defaults", "err", err)
	}
	return s
}
