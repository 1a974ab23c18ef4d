package resident

import (
	"context"
	"errors"

	"ucontact-tray/app/messages"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
)

// startBreak puts the agent on the break of motive, as chosen in the
// tray. The tray shows the break once the server has confirmed it; a
// failure is said in a notification, and the session stays as the server
// left it.
func (r *Resident) startBreak(ctx context.Context, motive string) {
	// The user asked for it: it is not cut short if the resident stops
	// meanwhile (a logout still cuts it short), and Run waits for it.
	err := r.m.StartBreak(context.WithoutCancel(ctx), motive)
	r.reportBreak(ctx, err, "notify.break_failed_title")
}

// endBreak ends the agent's break, as chosen in the tray.
func (r *Resident) endBreak(ctx context.Context) {
	err := r.m.EndBreak(context.WithoutCancel(ctx))
	r.reportBreak(ctx, err, "notify.unbreak_failed_title")
}

// reportBreak says why a break call the user made failed, if it did.
func (r *Resident) reportBreak(ctx context.Context, err error, title string) {
	switch {
	case err == nil:
		return
	case errors.Is(err, ucontact.ErrNoBreaks):
		// Said once, with the submenu gone, by followBreaks.
		r.cfg.Log.Warn("break from the tray", "err", err)
		return
	}
	r.cfg.Log.Warn("break from the tray", "err", err)
	r.notify(ctx, r.cfg.Msg.T(title), messages.Describe(r.cfg.Msg, err, r.m.Snapshot()))
}

// followBreaks says, once, that the server has no breaks, when a snapshot
// first shows it: the tray's Pausa submenu is gone, and the agent should
// know why.
func (r *Resident) followBreaks(ctx context.Context, prev, s session.Snapshot) {
	if s.NoBreaks && !prev.NoBreaks {
		r.notify(ctx, r.cfg.Msg.T("notify.no_breaks_title"),
			messages.Describe(r.cfg.Msg, ucontact.ErrNoBreaks, s)+" "+r.cfg.Msg.T("notify.no_breaks"))
	}
}
