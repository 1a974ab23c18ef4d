package resident

import (
	"context"
	"errors"

	"ucontact-tray/app/messages"
	"ucontact-tray/app/tray"
	"ucontact-tray/session"
)

// Reasons there is no tray icon, as control.Info.NoTray carries them.
const (
	noTrayBus  = "no-bus"  // no session bus: systray would crash
	noTrayHost = "no-host" // no status-notifier host: the icon would be invisible
)

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
	x := tray.Extras{Attention: r.attention(s)}
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

// attention is a problem worth the attention icon while the session is fine.
func (r *Resident) attention(s session.Snapshot) string {
	switch {
	case s.TokenFile != "":
		return r.cfg.Msg.T("tray.no_keyring")
	case errors.Is(s.Warning, session.ErrTokenUnreadable):
		return r.cfg.Msg.T("warn.token_unreadable")
	}
	return ""
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
