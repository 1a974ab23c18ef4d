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
	"sync"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/app/notify"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/idle"
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
	desk   desktop
	m      *session.Manager
	server *control.Server
	// ctx is the resident's own: it ends when the resident stops, and
	// every goroutine the resident starts is given it. The control
	// handler's Show and Quit, which have no context of their own, use it.
	ctx   context.Context
	stop  context.CancelFunc
	tasks tasks
	// iconShown is closed once the tray icon is up, or at once without a
	// tray: notifications wait for it.
	iconShown    chan struct{}
	showIconOnce sync.Once
	quitting     sync.Once

	refresh chan struct{}      // redraw the tray: something besides the session changed
	renew   chan chan struct{} // make the tray's menu again: a tray host appeared

	mu         sync.Mutex
	noTray     string             // why there is no tray icon; empty when there is one
	window     windowProcess      // the window process, while it runs
	windowDone chan struct{}      // closed when it has ended
	relogin    *settings.Settings // the session a suspend ended, to offer again
	// reloginAfterSleep: relogin is there because of a suspend, and is
	// told of on waking up.
	reloginAfterSleep bool
	// recovered is the session a crash left open that this start ended,
	// shown in the window until the next login.
	recovered *control.RecoveredSession

	// walk is the walk-away policy, fed by the OS's notices.
	walk *walkAway

	// motives are the breaks the tray offers: the administrator's, read at
	// start and the same all along.
	motives []string

	settingsMu sync.Mutex // one change at a time to the settings file and the autostart entry
	// demoChoices are the last demo login's choices, for this run only
	// (guarded by settingsMu): the demo's server is not the user's.
	demoChoices *settings.Settings
}

// desktop is what the resident drives outside itself, besides the
// session: the tray, the window program and the OS's notices.
type desktop struct {
	tray        trayUI
	startWindow func(path string) (windowProcess, error)
	watchOS     func(ctx context.Context, log *slog.Logger) osNotices
	// openIdle opens the user's idle time; nil for the desktop's own
	// (idle.Open).
	openIdle func(ctx context.Context) (idle.Source, error)
}

// systemDesktop is the user's desktop: fyne.io/systray, the window
// program run as a process, and the OS's own notices.
func systemDesktop() desktop {
	return desktop{
		tray:        systrayUI{},
		startWindow: startWindowProcess,
		watchOS: func(ctx context.Context, log *slog.Logger) osNotices {
			return shutdown.Watch(ctx, log)
		},
	}
}

// Run runs the resident until ctx ends or the user quits. It must be called
// from the main goroutine: the tray needs it on some platforms. When it
// returns, everything the resident started has finished.
func Run(ctx context.Context, cfg Config) error { return run(ctx, cfg, systemDesktop()) }

func run(ctx context.Context, cfg Config, desk desktop) error {
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

	r := &Resident{cfg: cfg, desk: desk, refresh: make(chan struct{}, 1), renew: make(chan chan struct{})}
	r.motives = r.effective().BreakMotives
	for _, p := range cfg.Presets.Problems {
		cfg.Log.Warn("administrator presets: ignored what could not be used", "problem", p.Error())
	}
	r.ctx, r.stop = context.WithCancel(ctx)
	ctx = r.ctx
	// Serve at once, answer once the session is open: a client may connect
	// from the moment the socket exists.
	ready := make(chan struct{})
	r.server = control.NewServer(r, cfg.Log, ready)
	served := make(chan error, 1)
	r.tasks.Go(func() { served <- r.server.Serve(ctx, l) })
	var osWatch osNotices
	defer func() {
		r.stop()
		r.closeWindow()
		if err := <-served; err != nil {
			cfg.Log.Error("control socket", "err", err)
		}
		// No client can ask for anything now. What the resident started
		// (a login's settings, a logout before quitting) finishes before
		// the session manager and the OS's notices it uses are closed.
		r.tasks.Wait()
		if osWatch != nil {
			osWatch.Close()
		}
		if r.m != nil {
			r.m.Close()
		}
	}()

	// Before ready: the window asks for it.
	itemUp := make(chan struct{})
	noTray, trayChanges := desk.tray.followHost(ctx, cfg.Log, itemUp, r.renewTray)
	r.setNoTray(noTray)
	r.iconShown = make(chan struct{})
	if noTray != "" {
		r.iconUp()
	}
	// The changes are followed from here, so that Run waits for their
	// source however it returns, and acted on once the tray runs.
	trayRuns := make(chan struct{})
	if trayChanges != nil {
		r.tasks.Go(func() { r.followTray(ctx, trayRuns, trayChanges) })
	}
	r.m, err = session.Open(ctx, session.Config{
		Dir:     cfg.StateDir,
		Secrets: secrets.NewStore(cfg.Keyring, cfg.StateDir),
		Client: func(u *url.URL) *ucontact.Client {
			return ucontact.NewClient(u, ucontact.Options{UserAgent: "ucontact-tray/" + cfg.Version, RootCAs: cfg.RootCAs, Logger: cfg.Log})
		},
		Holder:       session.HolderResident,
		Retry:        session.DefaultBackoff,
		Log:          cfg.Log,
		KeyringLabel: messages.KeyringLabel(cfg.Msg),
	})
	if err != nil {
		return err
	}
	close(ready)

	r.walk = newWalkAway(walkAwayDesk{r: r}, cfg.Msg, cfg.Log)
	walkUpdates, stopWalk := r.m.Subscribe()
	r.tasks.Go(func() {
		defer stopWalk()
		r.walk.run(ctx, walkUpdates)
	})
	osWatch = desk.watchOS(ctx, cfg.Log)
	r.tasks.Go(func() { r.followSession(ctx, osWatch) })
	r.tasks.Go(func() { r.followOS(ctx, osWatch) })
	r.tasks.Go(func() { r.recover(ctx) })
	r.tasks.Go(func() { r.applyLockedAutostart(ctx) })
	if cfg.CAFileProblem != nil {
		r.tasks.Go(func() { r.reportCAFile(ctx) })
	}
	if cfg.SettingsProblem != nil {
		r.tasks.Go(func() { r.reportSettings(ctx, cfg.SettingsProblem) })
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
	close(trayRuns)
	r.runTray(ctx, itemUp)
	return nil
}

// Quit ends the session, if one is open (an app that is not running cannot
// protect the agent), and then stops the resident.
func (r *Resident) Quit() {
	r.quitting.Do(func() {
		r.tasks.Go(func() { r.quit(r.ctx) })
	})
}

func (r *Resident) quit(ctx context.Context) {
	defer r.stop()
	if r.m.Snapshot().State == session.LoggedOut {
		return
	}
	// Not cut short if the resident is being stopped meanwhile: Run waits
	// for it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), quitLogoutTimeout)
	defer cancel()
	if err := r.m.Logout(ctx); err != nil && !errors.Is(err, session.ErrNotLoggedIn) {
		// The record stays: the next start ends the session.
		r.cfg.Log.Warn("logout before quitting failed; it is kept pending", "err", err)
	}
}

// tasks are the goroutines the resident starts, for Run to wait for: none
// may write a file or call the session manager once Run has returned.
type tasks struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Go runs f in a goroutine of its own, unless Wait has been called: the
// resident has stopped, and what is asked of it then is not done.
func (t *tasks) Go(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed {
		t.wg.Go(f)
	}
}

// Wait waits for every task, and refuses new ones from then on.
func (t *tasks) Wait() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.wg.Wait()
}
