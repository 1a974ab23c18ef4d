package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ucontact-tray/session/ucontact"
)

// Errors of the break calls, besides those of ucontact (ErrNoBreaks,
// ErrNoMotive, ErrSessionOver…).
var (
	ErrNotAgent   = errors.New("breaks are taken in agent sessions; this is a user session")
	ErrOnBreak    = errors.New("already on a break")
	ErrNotOnBreak = errors.New("not on a break")
)

// Break is a break the agent is on, as the server confirmed it.
type Break struct {
	Motive string    `json:"motive"` // one of the breaks configured on the server
	Since  time.Time `json:"since"`  // when the server confirmed it
}

// BreakRefusedError is a break call the server answered with its refusal
// (ucontact.ErrRefused, which it wraps): it did not start the break, or
// did not end it, and gave no reason. A motive the tenant lacks is the
// likely one for a start.
type BreakRefusedError struct {
	Motive string
	End    bool // the end of the break was refused, not its start
	Err    error
}

func (e *BreakRefusedError) Error() string {
	if e.End {
		return fmt.Sprintf("ending break %q: %v", e.Motive, e.Err)
	}
	return fmt.Sprintf("starting break %q: %v", e.Motive, e.Err)
}

func (e *BreakRefusedError) Unwrap() error { return e.Err }

// StartBreak puts the agent on a break of motive, one of the breaks
// configured on the server. The snapshot shows the break, and the record
// keeps it, once the server has confirmed it.
//
// A break while on another is refused with ErrOnBreak rather than switched
// to: what the server does with it is not documented, and the queue log
// learns how long a break lasted only from its end, which a switch would
// skip. Ending one and starting the next is two calls. On a server known
// to have no breaks (Snapshot.NoBreaks) it returns ucontact.ErrNoBreaks
// without asking again.
func (m *Manager) StartBreak(ctx context.Context, motive string) error {
	if strings.TrimSpace(motive) == "" {
		return fmt.Errorf("starting a break: %w", ucontact.ErrNoMotive)
	}
	return m.breakCall(ctx, breakCall{
		check: func(rec *record) error {
			switch {
			case rec.Break != nil:
				return fmt.Errorf("%w (%q since %s)", ErrOnBreak, rec.Break.Motive, rec.Break.Since.Format(time.TimeOnly))
			case rec.NoBreaks:
				return fmt.Errorf("starting break %q: %w", motive, ucontact.ErrNoBreaks)
			}
			return nil
		},
		call: func(ctx context.Context, client *ucontact.Client, s ucontact.AgentSession, _ *Break) error {
			err := client.StartBreak(ctx, s, motive, "")
			if errors.Is(err, ucontact.ErrRefused) {
				return &BreakRefusedError{Motive: motive, Err: err}
			}
			if err != nil {
				return fmt.Errorf("starting break %q: %w", motive, err)
			}
			return nil
		},
		done: func(rec *record) {
			rec.Break = &Break{Motive: motive, Since: time.Now()}
			m.cfg.Log.Info("break started", "motive", motive)
		},
	})
}

// EndBreak ends the agent's break, telling the server how long it lasted.
// Not on a break, it returns ErrNotOnBreak. A refusal leaves the break as
// it was: the server did not confirm its end.
func (m *Manager) EndBreak(ctx context.Context) error {
	return m.breakCall(ctx, breakCall{
		check: func(rec *record) error {
			if rec.Break == nil {
				return ErrNotOnBreak
			}
			return nil
		},
		call: func(ctx context.Context, client *ucontact.Client, s ucontact.AgentSession, b *Break) error {
			err := client.EndBreak(ctx, s, b.Motive, time.Since(b.Since), "")
			if errors.Is(err, ucontact.ErrRefused) {
				return &BreakRefusedError{Motive: b.Motive, End: true, Err: err}
			}
			if err != nil {
				return fmt.Errorf("ending break %q: %w", b.Motive, err)
			}
			return nil
		},
		done: func(rec *record) {
			m.cfg.Log.Info("break ended", "motive", rec.Break.Motive, "lasted", time.Since(rec.Break.Since).Round(time.Second))
			rec.Break = nil
		},
	})
}

// breakCall is a call on the agent's session that changes its break.
type breakCall struct {
	// check says why the call cannot be made in the session of rec, if so.
	check func(rec *record) error
	// call makes it, on the session's break b (nil if none).
	call func(ctx context.Context, client *ucontact.Client, s ucontact.AgentSession, b *Break) error
	// done changes the record as the server's confirmation says, and logs
	// it.
	done func(rec *record)
}

// breakCall makes c as a flight of its own: a login or another break call
// meanwhile gets ErrBusy, and a logout cancels it and goes on. Only the
// server's answer changes the session: a call that fails leaves it as it
// was, except that a server without breaks is remembered, and one that no
// longer knows the session has it forgotten.
func (m *Manager) breakCall(ctx context.Context, c breakCall) error {
	m.mu.Lock()
	err := m.usable()
	switch {
	case err != nil:
	case m.flight != nil:
		err = ErrBusy
	case m.rec == nil:
		err = ErrNotLoggedIn
	case m.rec.PendingSince != nil:
		err = ErrLogoutPending
	case m.rec.Kind != KindAgent:
		err = ErrNotAgent
	default:
		err = c.check(m.rec)
	}
	if err != nil {
		m.mu.Unlock()
		return err
	}
	f := m.begin(opBreak)
	callCtx, cancel := withDefaultDeadline(ctx)
	defer cancel()
	f.cancel = cancel
	rec, token, client := *m.rec, m.token, m.client
	m.mu.Unlock()

	token, err = m.sessionToken(callCtx, &rec, token)
	if err == nil {
		err = c.call(callCtx, client, agentSession(&rec, token), rec.Break)
	}
	if err != nil {
		m.cfg.Log.Warn("break call failed", "err", err)
	}
	switch {
	case err == nil:
		c.done(&rec)
		m.keepBreak(rec)
	case errors.Is(err, ucontact.ErrNoBreaks):
		rec.NoBreaks = true
		m.keepBreak(rec)
	case errors.Is(err, ucontact.ErrSessionOver):
		// As a logout that finds the session over: nothing is left to end.
		m.forget(ctx, err, nil)
	}
	m.finish(f, err)
	return err
}

// keepBreak stores rec, whose break (or lack of breaks) the server has just
// told, and shows it. The server is the truth: a record that cannot be
// saved is a warning, and the snapshot follows the server all the same.
func (m *Manager) keepBreak(rec record) {
	saveErr := saveRecord(m.cfg.Dir, &rec)
	if saveErr != nil {
		m.cfg.Log.Warn("session record", "err", saveErr)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rec = &rec
	m.snap.Break, m.snap.NoBreaks = rec.Break, rec.NoBreaks
	if saveErr != nil {
		m.snap.Warning = errors.Join(m.snap.Warning, saveErr)
	}
}
