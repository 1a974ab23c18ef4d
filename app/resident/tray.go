package resident

import (
	"context"
	"log/slog"
	"time"

	"ucontact-tray/app/messages"
	"ucontact-tray/app/tray"
	"ucontact-tray/session"
)

// Reasons there is no tray icon, as control.Info.NoTray carries them.
const (
	noTrayBus  = "no-bus"  // no session bus: systray would crash
	noTrayHost = "no-host" // no status-notifier host: the icon would be invisible
)

// followTray follows the desktop's tray host, once runs is closed: the
// window takes the icon's place while there is none. It returns once
// changes is closed, which its source does after ctx has ended.
func (r *Resident) followTray(ctx context.Context, runs <-chan struct{}, changes <-chan string) {
	select {
	case <-runs:
	case <-ctx.Done():
	}
	for reason := range changes {
		if ctx.Err() != nil {
			continue // stopping: only wait for the source to end
		}
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
	r.desk.tray.run(first, trayHandlers{
		Ready: func(apply, applyAnew func(tray.Model) error) {
			r.cfg.Log.Info("tray ready")
			r.iconUp()
			close(itemUp)
			// The window (a Fyne process, heavy to start) after the icon:
			// the tray shows at once, without sharing the CPU with it.
			// Without a host it is open already.
			if r.m.Snapshot().State == session.LoggedOut && r.trayMissing() == "" {
				r.tasks.Go(func() { r.showWindow(ctx) })
			}
			// One goroutine applies and quits: nothing is applied to a tray
			// that is gone. (Ready comes while Run is in runTray: the task
			// cannot be refused.)
			r.tasks.Go(func() {
				defer r.desk.tray.quit()
				logged := func(apply func(tray.Model) error) func(tray.Model) {
					return func(m tray.Model) {
						if err := apply(m); err != nil {
							r.cfg.Log.Warn("tray gone; the session is still watched over", "err", err)
						}
					}
				}
				feed := trayFeed{
					updates: updates, refresh: r.refresh, renew: r.renew, model: r.model,
					apply: logged(apply), applyAnew: logged(applyAnew),
					busyDelay: busyDelay, settleAfter: settleAfter, settle: settle,
				}
				feed.run(ctx, r.m.Snapshot())
			})
		},
		Action:  func(c tray.Choice) { r.onAction(ctx, c) },
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
	x.Motives = r.motives
	return tray.Build(s, r.cfg.Msg, x)
}

// renewWait bounds renewTray's wait: a tray that shows a login under way
// makes its menu again only once it is over.
const renewWait = time.Second

// renewTray makes the tray's menu again, for a tray host about to read it,
// and returns once it has, or after renewWait.
func (r *Resident) renewTray(ctx context.Context) {
	wait := time.NewTimer(renewWait)
	defer wait.Stop()
	done := make(chan struct{})
	select {
	case r.renew <- done:
	case <-wait.C:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-wait.C:
	case <-ctx.Done():
	}
}

// redraw asks the tray to show what changed besides the session.
func (r *Resident) redraw() {
	select {
	case r.refresh <- struct{}{}:
	default: // one pending redraw is enough
	}
}

func (r *Resident) onAction(ctx context.Context, c tray.Choice) {
	r.cfg.Log.Info("tray action", "action", c.Action, "motive", c.Motive)
	switch c.Action {
	case tray.ActionLogin, tray.ActionOpen:
		r.showWindow(ctx)
	case tray.ActionLogout, tray.ActionRetry:
		r.tasks.Go(func() {
			// The user asked for it: it is not cut short if the resident
			// stops meanwhile, and Run waits for it.
			if err := r.m.Logout(context.WithoutCancel(ctx)); err != nil {
				r.cfg.Log.Warn("logout", "err", err)
			}
		})
	case tray.ActionRelogin:
		r.tasks.Go(func() { r.loginAgain(ctx) })
	case tray.ActionBreak:
		r.tasks.Go(func() { r.startBreak(ctx, c.Motive) })
	case tray.ActionEndBreak:
		r.tasks.Go(func() { r.endBreak(ctx) })
	case tray.ActionQuit:
		r.Quit()
	}
}

// trayUI is the tray icon and its menu (app/tray on fyne.io/systray), and
// the following of the desktop's tray host.
type trayUI interface {
	// followHost says why no tray icon can be shown now ("" if one can),
	// and sends each change of that reason on changes (nil if there will
	// be none), which it closes once ctx has ended. Once itemUp is closed
	// the icon is up; renewMenu is then called before the icon is
	// registered with a tray host that appeared.
	followHost(ctx context.Context, log *slog.Logger, itemUp <-chan struct{}, renewMenu func(context.Context)) (reason string, changes <-chan string)
	// run shows first and blocks until quit is called.
	run(first tray.Model, h trayHandlers)
	quit()
}

// trayHandlers are what the tray calls back, from any goroutine.
type trayHandlers struct {
	// Ready receives, once the icon is up, what shows the next models:
	// apply, and applyAnew, which makes the menu again first.
	Ready   func(apply, applyAnew func(tray.Model) error)
	Action  func(tray.Choice)
	Tapped  func()
	Problem func(error)
}

// systrayUI is the tray of app/tray.
type systrayUI struct{}

func (systrayUI) followHost(ctx context.Context, log *slog.Logger, itemUp <-chan struct{}, renewMenu func(context.Context)) (string, <-chan string) {
	return followTrayHost(ctx, log, itemUp, renewMenu)
}

func (systrayUI) run(first tray.Model, h trayHandlers) {
	tray.Run(first, tray.Handlers{
		Ready:   func(t *tray.Tray) { h.Ready(t.Apply, t.Renew) },
		Action:  h.Action,
		Tapped:  h.Tapped,
		Problem: h.Problem,
	})
}

func (systrayUI) quit() { tray.Quit() }
