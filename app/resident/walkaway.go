package resident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"ucontact-tray/app/messages"
	"ucontact-tray/app/notify"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/idle"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// The walk-away policy's fixed times.
const (
	// idleWarning is how long the warning before a logout for inactivity
	// stays on screen, and the user has to come back.
	idleWarning = 60 * time.Second
	// cancelledShown is how long "Cierre cancelado" stays.
	cancelledShown = 5 * time.Second
	// shiftWarning is how long before logout_at the user is told.
	shiftWarning = 5 * time.Minute
	// returnCheck is how often the idle time is read, after a logout for
	// inactivity, to tell the user what happened as soon as they are back.
	returnCheck = 30 * time.Second
	// walkAwayLogoutTimeout bounds a logout the policy makes.
	walkAwayLogoutTimeout = 10 * time.Second
)

// walkAwayHost is what the walk-away policy acts on: the resident, or a
// fake in tests.
type walkAwayHost interface {
	// policy is the walk-away policy in force now.
	policy() settings.WalkAway
	snapshot() session.Snapshot
	startBreak(ctx context.Context, motive string) error
	endBreak(ctx context.Context) error
	// endSession ends the session as a suspend does, offering it again in
	// the tray, and reports whether it ended one.
	endSession(ctx context.Context, why string) bool
	notify(ctx context.Context, summary, body string)
	// warn shows a notification in place of the one id names (0 for
	// none), for expire, and returns its id (0 when it cannot be
	// replaced); closeWarning withdraws it.
	warn(ctx context.Context, id uint32, summary, body string, expire time.Duration) uint32
	closeWarning(ctx context.Context, id uint32)
	openIdle(ctx context.Context) (idle.Source, error)
	// goTask runs f as one of the resident's tasks.
	goTask(f func())
}

// walkAway puts an agent who left the desk on a break, and ends a session
// left alone: the screen locked for too long, no input for too long, or
// the end of the working day. One goroutine (run) holds its state; the OS's
// notices and the idle watcher reach it through channels that never keep
// their sender waiting on a server call.
type walkAway struct {
	host walkAwayHost
	msg  *i18n.Catalog
	log  *slog.Logger

	// lock holds the screen's latest lock state not yet acted on; a newer
	// one replaces it. resumed says the machine woke up.
	lock    chan bool
	resumed chan struct{}
	// events come from the goroutines run starts.
	events chan walkEvent
}

type walkEventKind int

const (
	idleExpired  walkEventKind = iota // no input for the limit, nor during the warning
	userReturned                      // input after a logout for inactivity
)

type walkEvent struct {
	kind walkEventKind
	gen  int // the session it belongs to (walkState.gen): older ones are stale
}

func newWalkAway(host walkAwayHost, msg *i18n.Catalog, log *slog.Logger) *walkAway {
	return &walkAway{
		host: host, msg: msg, log: log,
		lock: make(chan bool, 1), resumed: make(chan struct{}, 1), events: make(chan walkEvent),
	}
}

// screenLocked tells the policy the screen locked or unlocked. It never
// waits.
func (w *walkAway) screenLocked(locked bool) {
	for {
		select {
		case w.lock <- locked:
			return
		default:
		}
		select {
		case <-w.lock: // replaced by the newer state
		default:
		}
	}
}

// wokeUp tells the policy the machine resumed from sleep: timers of
// the monotonic clock did not count the sleep. It never waits.
func (w *walkAway) wokeUp() {
	select {
	case w.resumed <- struct{}{}:
	default:
	}
}

// report is what the user is told when back at the desk, of a session the
// policy ended while they were away.
type report struct {
	title, body string
}

// walkState is what run keeps between events.
type walkState struct {
	locked    bool
	lockLimit time.Duration
	// armed is set while a session is open and the policy armed for it;
	// gen counts the sessions it was armed for, to tell an event of an
	// earlier one. stopArmed ends what was started for the current one.
	armed     bool
	gen       int
	stopArmed context.CancelFunc
	policy    settings.WalkAway
	// appBreak is the break the policy started when the screen locked,
	// nil if none: only that one is ended on unlock.
	appBreak *session.Break
	// lockTimer runs while the screen is locked and a logout is set for
	// it (lockLimit); shiftTimer until the next logout_at event, at
	// shiftAt or, if shiftWarn, its warning before.
	lockTimer  *time.Timer
	shiftTimer *time.Timer
	shiftAt    time.Time
	shiftWarn  bool
	// pending is told on unlock or return; stopReturn ends the wait for
	// the return.
	pending    *report
	stopReturn context.CancelFunc
	// idleSource is opened once; idleSaid is set once it was said to be
	// unavailable.
	idleSource idle.Source
	idleSaid   bool
}

// run applies the policy until ctx ends, following the session's updates.
func (w *walkAway) run(ctx context.Context, updates <-chan session.Snapshot) {
	var st walkState
	defer func() {
		w.disarm(&st)
		if st.stopReturn != nil {
			st.stopReturn()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case s, ok := <-updates:
			if !ok {
				return
			}
			w.onSession(ctx, &st, s)
		case locked := <-w.lock:
			w.onLock(ctx, &st, locked)
		case <-w.resumed:
			if st.shiftTimer != nil {
				w.scheduleShift(&st)
			}
		case e := <-w.events:
			w.onEvent(ctx, &st, e)
		case <-timerC(st.lockTimer):
			st.lockTimer = nil
			w.endFor(ctx, &st, "locked", w.msg.T("notify.walkaway_locked_title"), "notify.walkaway_locked", time.Now(), st.lockLimit)
		case <-timerC(st.shiftTimer):
			st.shiftTimer = nil
			w.onShift(ctx, &st)
		}
	}
}

// timerC is t's channel, or nil (never ready) when there is no timer.
func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

func (w *walkAway) onSession(ctx context.Context, st *walkState, s session.Snapshot) {
	switch {
	case s.State == session.LoggedIn && !st.armed:
		w.arm(ctx, st)
	case s.State != session.LoggedIn && !s.State.Busy() && st.armed:
		w.disarm(st)
	}
}

// arm sets the policy up for a session that has just opened: what is
// told of the one before is dropped, its relogin having been taken.
func (w *walkAway) arm(ctx context.Context, st *walkState) {
	st.armed = true
	st.gen++
	st.pending = nil
	if st.stopReturn != nil {
		st.stopReturn()
		st.stopReturn = nil
	}
	st.policy = w.host.policy()
	armCtx, cancel := context.WithCancel(ctx)
	st.stopArmed = cancel
	if st.locked {
		w.startLockTimer(st, st.policy.LockedLogout)
	}
	if st.policy.HasLogoutAt {
		w.armShift(st)
	}
	if st.policy.IdleLogout > 0 {
		if src := w.idle(ctx, st); src != nil {
			gen, limit := st.gen, st.policy.IdleLogout
			w.host.goTask(func() { w.watchIdle(armCtx, src, limit, gen) })
		}
	}
	w.log.Info("walk-away policy armed", "lock_break", st.policy.LockBreak, "logout_when_locked_after", st.policy.LockedLogout,
		"logout_when_idle_after", st.policy.IdleLogout, "logout_at", logoutAt(st.policy))
}

func logoutAt(p settings.WalkAway) string {
	if !p.HasLogoutAt {
		return "never"
	}
	return p.LogoutAt.String()
}

// disarm stops what arm started, once the session is over.
func (w *walkAway) disarm(st *walkState) {
	if !st.armed {
		return
	}
	st.armed = false
	st.stopArmed()
	st.appBreak = nil
	stopTimer(&st.lockTimer)
	stopTimer(&st.shiftTimer)
}

func stopTimer(t **time.Timer) {
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
}

func (w *walkAway) onLock(ctx context.Context, st *walkState, locked bool) {
	if locked == st.locked {
		return
	}
	st.locked = locked
	if !locked {
		stopTimer(&st.lockTimer)
		w.endAppBreak(ctx, st)
		w.tell(ctx, st)
		return
	}
	if !st.armed {
		return
	}
	// Read again: the user may have changed it since the login.
	p := w.host.policy()
	w.startLockTimer(st, p.LockedLogout)
	s := w.host.snapshot()
	if motive := p.LockBreak; motive != "" && s.Kind == session.KindAgent && s.Break == nil && !s.NoBreaks {
		if err := w.host.startBreak(ctx, motive); err != nil {
			w.log.Warn("break on locking the screen", "motive", motive, "err", err)
			w.host.notify(ctx, w.msg.T("notify.lock_break_title"),
				w.msg.T("notify.lock_break", "Motive", motive, "Reason", messages.Describe(w.msg, err, s)))
			return
		}
		st.appBreak = w.host.snapshot().Break
		w.log.Info("on a break while the screen is locked", "motive", motive)
	}
}

// startLockTimer ends the session once the screen has been locked for
// limit (never if 0).
func (w *walkAway) startLockTimer(st *walkState, limit time.Duration) {
	stopTimer(&st.lockTimer)
	if limit > 0 {
		st.lockTimer = time.NewTimer(limit)
		st.lockLimit = limit
	}
}

// endAppBreak ends the break the policy started, if the agent is still on
// it: one the agent chose since is theirs to end.
func (w *walkAway) endAppBreak(ctx context.Context, st *walkState) {
	b := st.appBreak
	st.appBreak = nil
	if b == nil {
		return
	}
	if cur := w.host.snapshot().Break; cur == nil || cur.Motive != b.Motive || !cur.Since.Equal(b.Since) {
		return
	}
	if err := w.host.endBreak(ctx); err != nil {
		// The tray offers to end it.
		w.log.Warn("ending the break on unlocking the screen", "motive", b.Motive, "err", err)
	}
}

func (w *walkAway) onEvent(ctx context.Context, st *walkState, e walkEvent) {
	switch e.kind {
	case idleExpired:
		if st.armed && e.gen == st.gen {
			limit := st.policy.IdleLogout
			if w.endFor(ctx, st, "idle", w.msg.T("notify.walkaway_idle_title"), "notify.walkaway_idle", time.Now(), limit) {
				w.awaitReturn(ctx, st)
			}
		}
	case userReturned:
		w.tell(ctx, st)
	}
}

// endFor ends the session for why, and keeps what to tell the user when
// back: title, and the message body with the time it ended and the limit
// that was reached. It reports whether a session was ended.
func (w *walkAway) endFor(ctx context.Context, st *walkState, why, title, body string, at time.Time, limit time.Duration) bool {
	s := w.host.snapshot()
	if s.State == session.LoggedOut {
		return false
	}
	if !w.host.endSession(ctx, why) {
		return false
	}
	who := s.User + " @ " + messages.ServerName(s.Server)
	st.pending = &report{
		title: title,
		body:  w.msg.T(body, "Session", who, "Time", at.Format("15:04"), "Limit", formatLimit(limit)),
	}
	return true
}

// tell says what the policy did while the user was away, once.
func (w *walkAway) tell(ctx context.Context, st *walkState) {
	if st.stopReturn != nil {
		st.stopReturn()
		st.stopReturn = nil
	}
	if p := st.pending; p != nil {
		st.pending = nil
		w.host.notify(ctx, p.title, p.body)
	}
}

// armShift sets the next logout_at: the day's time after now, warned of
// shiftWarning before.
func (w *walkAway) armShift(st *walkState) {
	st.shiftAt = st.policy.LogoutAt.Next(time.Now())
	st.shiftWarn = true
	w.scheduleShift(st)
}

// scheduleShift sets the timer to the next logout_at event: the warning,
// then the logout. It is called again after a sleep, which the timer (on
// the monotonic clock) did not count; a time passed meanwhile comes at once.
func (w *walkAway) scheduleShift(st *walkState) {
	stopTimer(&st.shiftTimer)
	next := st.shiftAt
	if st.shiftWarn {
		next = next.Add(-shiftWarning)
	}
	st.shiftTimer = time.NewTimer(max(time.Until(next), 0))
}

func (w *walkAway) onShift(ctx context.Context, st *walkState) {
	now := time.Now()
	if st.shiftWarn {
		st.shiftWarn = false
		if now.Before(st.shiftAt.Add(-shiftWarning)) {
			st.shiftWarn = true // early: the wall clock was set back
		} else if now.Before(st.shiftAt) {
			at := st.shiftAt.Format("15:04")
			w.host.notify(ctx, w.msg.T("notify.shift_soon_title", "Time", at), w.msg.T("notify.shift_soon", "Time", at))
		}
		w.scheduleShift(st)
		return
	}
	if now.Before(st.shiftAt) {
		w.scheduleShift(st)
		return
	}
	at := st.shiftAt
	if w.endFor(ctx, st, "logout_at", w.msg.T("notify.walkaway_shift_title"), "notify.walkaway_shift", at, 0) {
		w.tell(ctx, st) // the user may well be there
	}
	if st.armed {
		w.armShift(st) // not ended: tomorrow's
	}
}

// idle is the desktop's idle time, opened once; nil where there is none,
// which is said once.
func (w *walkAway) idle(ctx context.Context, st *walkState) idle.Source {
	if st.idleSource != nil {
		return st.idleSource
	}
	src, err := w.host.openIdle(ctx)
	if err != nil {
		if !st.idleSaid {
			st.idleSaid = true
			w.log.Warn("logout_when_idle_after cannot work on this desktop", "err", err)
			if errors.Is(err, idle.ErrUnavailable) {
				w.host.notify(ctx, w.msg.T("notify.idle_unavailable_title"), w.msg.T("notify.idle_unavailable"))
			}
		}
		return nil
	}
	w.log.Info("idle time", "source", fmt.Sprint(src))
	st.idleSource = src
	return src
}

// watchIdle waits for the user to be idle for limit, then warns for
// idleWarning; input meanwhile calls the logout off, and the wait starts
// over. While the user works it reads the idle time once per limit (see
// idle.WaitIdle).
func (w *walkAway) watchIdle(ctx context.Context, src idle.Source, limit time.Duration, gen int) {
	title := w.msg.T("notify.idle_warning_title")
	for {
		since, err := idle.WaitIdle(ctx, src, limit)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("idle time; no logout for inactivity in this session", "err", err)
			}
			return
		}
		w.log.Info("no input; warning before the logout", "idle", since.Round(time.Second))
		id := w.host.warn(ctx, 0, title, w.msg.T("notify.idle_warning"), idleWarning)
		wctx, cancel := context.WithTimeout(ctx, idleWarning)
		err = idle.WaitInput(wctx, src, since)
		cancel()
		switch {
		case err == nil:
			w.log.Info("input during the warning; logout cancelled")
			w.host.warn(ctx, id, title, w.msg.T("notify.idle_cancelled"), cancelledShown)
			continue
		case ctx.Err() != nil:
			w.host.closeWarning(context.WithoutCancel(ctx), id)
			return
		case errors.Is(err, context.DeadlineExceeded):
			w.host.closeWarning(ctx, id)
			select {
			case w.events <- walkEvent{kind: idleExpired, gen: gen}:
			case <-ctx.Done():
			}
		default:
			w.host.closeWarning(ctx, id)
			w.log.Warn("idle time; no logout for inactivity in this session", "err", err)
		}
		return
	}
}

// awaitReturn waits, in a task, for the user's next input, to tell them
// then what happened while they were away. It reads the idle time once
// every returnCheck.
func (w *walkAway) awaitReturn(ctx context.Context, st *walkState) {
	src := st.idleSource
	if src == nil {
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	st.stopReturn = cancel
	gen := st.gen
	w.host.goTask(func() {
		var last time.Duration = -1
		for {
			idleFor, err := src.Idle(rctx)
			if err != nil {
				return
			}
			if last >= 0 && idleFor < last {
				select {
				case w.events <- walkEvent{kind: userReturned, gen: gen}:
				case <-rctx.Done():
				}
				return
			}
			last = idleFor
			t := time.NewTimer(returnCheck)
			select {
			case <-rctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	})
}

// formatLimit writes a limit as people say it: 90 s, 15 min, 1 h 30 min.
func formatLimit(d time.Duration) string {
	switch {
	case d%time.Minute != 0:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// walkAwayDesk is the resident as the walk-away policy's host.
type walkAwayDesk struct{ r *Resident }

func (d walkAwayDesk) policy() settings.WalkAway {
	w, err := d.r.effective().WalkAway()
	if err != nil {
		d.r.cfg.Log.Warn("settings: walk-away values not used", "err", err)
	}
	return w
}

func (d walkAwayDesk) snapshot() session.Snapshot { return d.r.m.Snapshot() }

func (d walkAwayDesk) startBreak(ctx context.Context, motive string) error {
	return d.r.m.StartBreak(ctx, motive)
}

func (d walkAwayDesk) endBreak(ctx context.Context) error { return d.r.m.EndBreak(ctx) }

func (d walkAwayDesk) endSession(ctx context.Context, why string) bool {
	return d.r.endAndOffer(ctx, time.Now().Add(walkAwayLogoutTimeout), func() {}, "by the walk-away policy", "reason", why)
}

func (d walkAwayDesk) notify(ctx context.Context, summary, body string) {
	d.r.notify(ctx, summary, body)
}

func (d walkAwayDesk) warn(ctx context.Context, id uint32, summary, body string, expire time.Duration) uint32 {
	rep, ok := d.r.cfg.Notifier.(notify.Replacer)
	if !ok {
		d.r.notify(ctx, summary, body)
		return 0
	}
	d.r.cfg.Log.Info("notification", "summary", summary, "body", body, "replaces", id)
	nctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	newID, err := rep.Replace(nctx, id, summary, body, expire)
	if err != nil {
		d.r.cfg.Log.Warn("notification not shown", "summary", summary, "err", err)
		return newID
	}
	d.r.cfg.Log.Info("notification shown", "summary", summary)
	return newID
}

func (d walkAwayDesk) closeWarning(ctx context.Context, id uint32) {
	rep, ok := d.r.cfg.Notifier.(notify.Replacer)
	if !ok || id == 0 {
		return
	}
	nctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	if err := rep.Close(nctx, id); err != nil {
		d.r.cfg.Log.Warn("notification not withdrawn", "err", err)
	}
}

func (d walkAwayDesk) openIdle(ctx context.Context) (idle.Source, error) {
	if d.r.desk.openIdle != nil {
		return d.r.desk.openIdle(ctx)
	}
	return idle.Open(ctx)
}

func (d walkAwayDesk) goTask(f func()) { d.r.tasks.Go(f) }
