package resident

import (
	"context"
	"errors"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
)

// notifyTimeout bounds showing a notification, and waiting for the tray
// icon it may come from.
const notifyTimeout = 3 * time.Second

// notify shows a notification. It is logged when asked for, and again
// once shown (or why not): a support log then says what the user saw.
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
		r.cfg.Log.Warn("notification not shown", "summary", summary, "err", err)
		return
	}
	r.cfg.Log.Info("notification shown", "summary", summary)
}

// iconUp says the tray icon is up (or that there will be none).
func (r *Resident) iconUp() { r.showIconOnce.Do(func() { close(r.iconShown) }) }

// recover ends a session a crashed resident left open, and says so. The
// window opens for it: a notification alone may never be seen (a desktop
// without a notification server shows none), and the agent must learn
// that the session they thought open is gone, or that its end is still
// pending. A start with nothing to recover opens no window (with a tray):
// the app starting at login stays in the tray.
func (r *Resident) recover(ctx context.Context) {
	before := r.m.Snapshot()
	ended, err := r.m.Recover(ctx)
	switch {
	case ended:
		r.mu.Lock()
		r.recovered = &control.RecoveredSession{User: before.User, Server: before.Server}
		r.mu.Unlock()
		r.cfg.Log.Info("opening the window: a session left open by the previous run was ended")
		r.showWindow(ctx)
		r.notify(ctx, r.cfg.Msg.T("notify.recovered_title"),
			r.cfg.Msg.T("notify.recovered", "User", before.User, "Server", messages.ServerName(before.Server)))
	case err != nil:
		r.cfg.Log.Warn("ending the session left by the previous run", "err", err)
		if r.m.Snapshot().State == session.LogoutPending {
			// The window's session view shows the pending logout, why,
			// and when it is tried again.
			r.cfg.Log.Info("opening the window: the logout of the session left by the previous run is pending")
			r.showWindow(ctx)
		}
	}
}

// recoveredSession is the session a crash left open that this start
// ended, for the window to say so until the next login; nil if none.
func (r *Resident) recoveredSession() *control.RecoveredSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recovered
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
