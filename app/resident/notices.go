package resident

import (
	"context"
	"errors"
	"time"

	"ucontact-tray/app/messages"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/shutdown"
)

// followSession holds the OS back while a session is open, and tells the
// user of what changed without their asking: a logout that failed and is
// pending, and a pending one that completed.
func (r *Resident) followSession(ctx context.Context, osWatch osNotices) {
	updates, cancel := r.m.Subscribe()
	defer cancel()
	prev := <-updates
	osWatch.Hold(prev.State != session.LoggedOut)
	for {
		var s session.Snapshot
		select {
		case next, ok := <-updates:
			if !ok {
				return
			}
			s = next
		case <-ctx.Done():
			return
		}
		osWatch.Hold(s.State != session.LoggedOut)
		if s.State != session.LoggedOut {
			r.setRelogin(nil) // a session is open: nothing to offer again
		}
		if s.State.Busy() {
			continue // judge the outcome, not the steps
		}
		r.followBreaks(ctx, prev, s)
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

// followOS ends the session when the OS session ends or the machine goes
// to sleep, within the time the OS gives, using the connection the manager
// already holds. What cannot be ended in time stays on record and is ended
// at the next start.
func (r *Resident) followOS(ctx context.Context, osWatch osNotices) {
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
		r.endBefore(ctx, n)
		r.stop() // the OS session is going: so is the app, without another try
	case shutdown.Suspending:
		if r.effective().EndOnSuspend() && r.endAndOffer(ctx, n.Deadline, n.Done, "for the OS", "notice", n.Kind.String(), "source", n.Source) {
			r.mu.Lock()
			r.reloginAfterSleep = true
			r.mu.Unlock()
		}
		n.Done()
	case shutdown.Resumed:
		r.walk.wokeUp()
		r.mu.Lock()
		offer := r.relogin
		if !r.reloginAfterSleep {
			offer = nil // ended before, for another reason: told then
		}
		r.mu.Unlock()
		if offer != nil {
			who := offer.User + " @ " + messages.ServerName(offer.Server)
			r.notify(ctx, r.cfg.Msg.T("notify.resumed_title"), r.cfg.Msg.T("notify.resumed", "Session", who))
		}
	case shutdown.Locked, shutdown.Unlocked:
		r.walk.screenLocked(n.Kind == shutdown.Locked)
	}
}

// endBefore ends the session, if any, before n's deadline, then tells the
// OS it may go on. It reports whether a session was ended. The OS's
// deadline alone bounds it: the resident stopping meanwhile does not.
func (r *Resident) endBefore(ctx context.Context, n shutdown.Notice) bool {
	return r.endSessionBy(ctx, n.Deadline, n.Done, "for the OS", "notice", n.Kind.String(), "source", n.Source)
}

// endSessionBy ends the session, if any, before deadline, calling done
// once the server has confirmed (or the end failed); what says for whom
// and why, in the log.
func (r *Resident) endSessionBy(ctx context.Context, deadline time.Time, done func(), what string, why ...any) bool {
	defer done()
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	// The OS may go on once the server has confirmed: the keyring's
	// forgetting of the token follows while it does.
	err := r.m.LogoutThen(ctx, done)
	switch {
	case errors.Is(err, session.ErrNotLoggedIn):
		return false
	case err != nil:
		r.cfg.Log.Warn("ending the session "+what+" failed; kept for the next start", append(why, "err", err)...)
		return false
	}
	r.cfg.Log.Info("session ended "+what, why...)
	return true
}

// endAndOffer ends the session, if any, as endSessionBy does, and offers
// it again in the tray ("Volver a iniciar sesión"): for a suspend, and for
// the walk-away policy. It reports whether a session was ended.
func (r *Resident) endAndOffer(ctx context.Context, deadline time.Time, done func(), what string, why ...any) bool {
	snap := r.m.Snapshot()
	if snap.State == session.LoggedOut {
		done()
		return false
	}
	offer := settings.Settings{Server: snap.Server, User: snap.User, Kind: snap.Kind}
	if !r.endSessionBy(ctx, deadline, done, what, why...) {
		return false
	}
	r.setRelogin(&offer)
	return true
}

func (r *Resident) setRelogin(offer *settings.Settings) {
	r.mu.Lock()
	changed := (r.relogin == nil) != (offer == nil)
	r.relogin = offer
	r.reloginAfterSleep = false
	r.mu.Unlock()
	if changed {
		r.redraw()
	}
}

// loginAgain logs in again as the session a suspend ended: with the
// remembered password if there is one, through the window otherwise.
func (r *Resident) loginAgain(ctx context.Context) {
	r.mu.Lock()
	offer := r.relogin
	r.mu.Unlock()
	if offer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
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

// osNotices are the OS's notices (shutdown.Watcher).
type osNotices interface {
	Notices() <-chan shutdown.Notice
	// Hold says whether a session is open, for the OS to be held back
	// while there is one to end.
	Hold(open bool)
	Close()
}
