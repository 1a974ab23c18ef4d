package resident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/idle"
	"ucontact-tray/internal/settings"
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session"
)

// These tests run the policy in a synctest bubble against a fake host: time
// is fake and moves only when every goroutine waits, so a 15-minute limit
// is checked to the second without taking that long.

// fakeHost is the resident as the policy sees it, with a session in
// memory and a user whose input the test gives.
type fakeHost struct {
	updates chan session.Snapshot
	tasks   sync.WaitGroup

	mu       sync.Mutex
	snap     session.Snapshot
	pol      settings.WalkAway
	calls    []string // "break Almuerzo", "unbreak", "end locked", each "at +15m0s"
	notes    []string // "summary: body"
	nextID   uint32
	openErr  error
	breakErr error
	user     *idleUser
	start    time.Time
}

func newFakeHost(kind session.Kind, pol settings.WalkAway) *fakeHost {
	return &fakeHost{
		updates: make(chan session.Snapshot, 16), pol: pol, start: time.Now(),
		snap: session.Snapshot{State: session.LoggedIn, Server: "https://acme.ucontactcloud.com", User: "ana", Kind: kind, Since: time.Now()},
		user: &idleUser{lastInput: time.Now()},
	}
}

func (h *fakeHost) record(list *[]string, s string) {
	*list = append(*list, fmt.Sprintf("%s at +%v", s, time.Since(h.start)))
}

func (h *fakeHost) policy() settings.WalkAway {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pol
}

func (h *fakeHost) snapshot() session.Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.snap
}

func (h *fakeHost) startBreak(_ context.Context, motive string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record(&h.calls, "break "+motive)
	if h.breakErr != nil {
		return h.breakErr
	}
	if h.snap.Break != nil {
		return session.ErrOnBreak
	}
	h.snap.Break = &session.Break{Motive: motive, Since: time.Now()}
	return nil
}

func (h *fakeHost) endBreak(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record(&h.calls, "unbreak")
	if h.snap.Break == nil {
		return session.ErrNotOnBreak
	}
	h.snap.Break = nil
	return nil
}

// agentBreak is the agent choosing a break of their own.
func (h *fakeHost) agentBreak(motive string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.snap.Break = &session.Break{Motive: motive, Since: time.Now()}
}

func (h *fakeHost) endSession(_ context.Context, why string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.snap.State == session.LoggedOut {
		return false
	}
	h.record(&h.calls, "end "+why)
	h.snap = session.Snapshot{}
	h.updates <- h.snap
	return true
}

// login opens a new session, as a relogin would.
func (h *fakeHost) login() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.snap = session.Snapshot{State: session.LoggedIn, Server: "https://acme.ucontactcloud.com", User: "ana", Kind: session.KindAgent, Since: time.Now()}
	h.updates <- h.snap
}

func (h *fakeHost) notify(_ context.Context, summary, body string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record(&h.notes, summary+": "+body)
}

func (h *fakeHost) warn(_ context.Context, id uint32, summary, body string, expire time.Duration) uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id == 0 {
		h.nextID++
		id = h.nextID
	}
	h.record(&h.notes, fmt.Sprintf("#%d %s: %s (%v)", id, summary, body, expire))
	return id
}

func (h *fakeHost) closeWarning(_ context.Context, id uint32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record(&h.notes, fmt.Sprintf("#%d closed", id))
}

func (h *fakeHost) openIdle(context.Context) (idle.Source, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record(&h.calls, "open idle")
	if h.openErr != nil {
		return nil, h.openErr
	}
	return h.user, nil
}

func (h *fakeHost) goTask(f func()) { h.tasks.Go(f) }

func (h *fakeHost) got() (calls, notes []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls), slices.Clone(h.notes)
}

// idleUser is the user's input, as the desktop's idle time counts it.
type idleUser struct {
	mu        sync.Mutex
	lastInput time.Time
	reads     int
}

func (u *idleUser) Idle(context.Context) (time.Duration, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.reads++
	return time.Since(u.lastInput), nil
}

func (u *idleUser) input() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.lastInput = time.Now()
}

func (u *idleUser) readCount() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.reads
}

// runPolicy runs the policy for h until the test's end, and returns it.
func runPolicy(t *testing.T, h *fakeHost) *walkAway {
	t.Helper()
	log := &testenv.Buffer{}
	w := newWalkAway(h, i18n.MustNew(i18n.Spanish), slog.New(slog.NewTextHandler(log, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	h.updates <- h.snapshot()
	go func() {
		defer close(done)
		w.run(ctx, h.updates)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		h.tasks.Wait() // every task the policy started has ended
		if t.Failed() {
			t.Logf("log:\n%s", log.String())
		}
	})
	synctest.Wait()
	return w
}

// after lets d of fake time go by, and everything it set off happen.
func after(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func want(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// An agent who locks the screen is put on the lock_break at once, and
// taken off it on unlocking.
func TestLockPutsTheAgentOnABreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{LockBreak: "Almuerzo"})
		w := runPolicy(t, h)
		w.screenLocked(true)
		synctest.Wait()
		after(10 * time.Minute)
		w.screenLocked(false)
		synctest.Wait()
		calls, notes := h.got()
		want(t, "calls", calls, "break Almuerzo at +0s", "unbreak at +10m0s")
		want(t, "notifications", notes)
	})
}

// Only the break the app started is ended on unlocking: not one the agent
// was already on, nor one the agent took instead meanwhile.
func TestUnlockEndsOnlyTheAppsBreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{LockBreak: "Almuerzo"})
		h.agentBreak("Capacitación")
		w := runPolicy(t, h)
		w.screenLocked(true)
		synctest.Wait()
		w.screenLocked(false)
		synctest.Wait()
		if calls, _ := h.got(); len(calls) != 0 {
			t.Errorf("on the agent's own break: %v", calls)
		}

		h.mu.Lock()
		h.snap.Break = nil
		h.mu.Unlock()
		w.screenLocked(true)
		synctest.Wait()
		after(time.Minute)
		h.agentBreak("Baño") // from the tray of another session, say
		w.screenLocked(false)
		synctest.Wait()
		calls, _ := h.got()
		want(t, "calls", calls, "break Almuerzo at +0s")
		if b := h.snapshot().Break; b == nil || b.Motive != "Baño" {
			t.Errorf("the agent's break: %+v", b)
		}
	})
}

// A user session, or an agent session with no lock_break, takes no break.
func TestLockWithoutABreak(t *testing.T) {
	for name, h := range map[string]func() *fakeHost{
		"user session":  func() *fakeHost { return newFakeHost(session.KindUser, settings.WalkAway{LockBreak: "Almuerzo"}) },
		"no lock_break": func() *fakeHost { return newFakeHost(session.KindAgent, settings.WalkAway{}) },
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := h()
				w := runPolicy(t, h)
				w.screenLocked(true)
				synctest.Wait()
				w.screenLocked(false)
				synctest.Wait()
				if calls, notes := h.got(); len(calls)+len(notes) != 0 {
					t.Errorf("calls %v, notifications %v", calls, notes)
				}
			})
		})
	}
}

// A break the server refuses is said, and nothing is ended on unlocking.
func TestLockBreakRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{LockBreak: "Siesta"})
		h.breakErr = &session.BreakRefusedError{Motive: "Siesta", Err: errors.New("refused")}
		w := runPolicy(t, h)
		w.screenLocked(true)
		synctest.Wait()
		w.screenLocked(false)
		synctest.Wait()
		calls, notes := h.got()
		want(t, "calls", calls, "break Siesta at +0s")
		if len(notes) != 1 || !strings.HasPrefix(notes[0], "No se pudo iniciar la pausa: La pantalla se bloqueó, pero la pausa «Siesta» no se pudo iniciar: ") {
			t.Errorf("notifications %v", notes)
		}
	})
}

// The screen locked for logout_when_locked_after ends the session, in
// agent and user sessions alike; on unlocking the user is told when and
// why. Unlocked before, nothing ends.
func TestLockedTooLongEndsTheSession(t *testing.T) {
	for _, kind := range []session.Kind{session.KindAgent, session.KindUser} {
		t.Run(string(kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newFakeHost(kind, settings.WalkAway{LockBreak: "Almuerzo", LockedLogout: 15 * time.Minute})
				w := runPolicy(t, h)
				w.screenLocked(true)
				synctest.Wait()
				after(14 * time.Minute)
				w.screenLocked(false)
				synctest.Wait()
				after(time.Hour)
				if calls, _ := h.got(); slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "end") }) {
					t.Fatalf("ended, though unlocked in time: %v", calls)
				}

				w.screenLocked(true)
				synctest.Wait()
				after(15 * time.Minute)
				calls, notes := h.got()
				if last := calls[len(calls)-1]; last != "end locked at +1h29m0s" {
					t.Errorf("calls %v; want the end 15 min after the second lock", calls)
				}
				if len(notes) != 0 {
					t.Errorf("told while still locked: %v", notes)
				}
				after(time.Hour)
				w.screenLocked(false)
				synctest.Wait()
				_, notes = h.got()
				at := h.start.Add(89 * time.Minute).Format("15:04")
				want(t, "notifications", notes,
					"Sesión finalizada con la pantalla bloqueada: La sesión de ana @ acme se cerró a las "+at+
						" porque la pantalla estuvo bloqueada 15 min. Puede volver a iniciarla desde el icono de la bandeja. at +2h29m0s")
				calls, _ = h.got()
				if kind == session.KindUser && slices.ContainsFunc(calls, func(c string) bool { return strings.Contains(c, "break") }) {
					t.Errorf("a user session took a break: %v", calls)
				}
			})
		})
	}
}

// No input for logout_when_idle_after brings a warning that stays 60 s,
// then the end of the session; the user is told on coming back. While the
// user works, the idle time is read once per limit.
func TestIdleEndsTheSessionAfterAWarning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{IdleLogout: 15 * time.Minute})
		runPolicy(t, h)
		// Two hours of work, input every 10 s.
		for range 2 * 360 {
			h.user.input()
			after(10 * time.Second)
		}
		if n := h.user.readCount(); n > 2*60*60/30 || n > 10 {
			t.Errorf("%d reads of the idle time in two hours of work", n)
		}
		h.user.input()
		start := time.Since(h.start)
		after(15*time.Minute + idleWarning + time.Second)
		calls, notes := h.got()
		want(t, "calls", calls, "open idle at +0s", fmt.Sprintf("end idle at +%v", start+16*time.Minute))
		want(t, "notifications", notes,
			fmt.Sprintf("#1 Cierre de sesión por inactividad: Su sesión se cerrará por inactividad en 60 s. Mueva el ratón o pulse una tecla para seguir. (1m0s) at +%v", start+15*time.Minute),
			fmt.Sprintf("#1 closed at +%v", start+16*time.Minute))

		// Away for an hour; reads once every 30 s meanwhile.
		reads := h.user.readCount()
		after(time.Hour)
		if n := h.user.readCount() - reads; n > 121 {
			t.Errorf("%d reads in an hour away", n)
		}
		h.user.input()
		after(returnCheck)
		_, notes = h.got()
		if len(notes) != 3 || !strings.Contains(notes[2], "Sesión finalizada por inactividad: La sesión de ana @ acme se cerró a las") ||
			!strings.Contains(notes[2], "tras 15 min sin usar el teclado ni el ratón") {
			t.Errorf("on coming back: %v", notes)
		}
	})
}

// Input during the warning calls the logout off, and says so in its place.
func TestInputDuringTheWarningCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{IdleLogout: time.Minute})
		runPolicy(t, h)
		after(time.Minute + 30*time.Second)
		h.user.input()
		after(2 * time.Second)
		calls, notes := h.got()
		want(t, "calls", calls, "open idle at +0s")
		want(t, "notifications", notes,
			"#1 Cierre de sesión por inactividad: Su sesión se cerrará por inactividad en 60 s. Mueva el ratón o pulse una tecla para seguir. (1m0s) at +1m0s",
			"#1 Cierre de sesión por inactividad: Cierre cancelado (5s) at +1m31s")
		// The wait starts over: a minute later, another warning.
		after(time.Minute)
		if _, notes := h.got(); len(notes) != 3 || !strings.HasPrefix(notes[2], "#2 ") {
			t.Errorf("after the cancel: %v", notes)
		}
	})
}

// A session ended by other means during the warning withdraws it, and the
// next session has its own wait and warning.
func TestSessionEndedDuringTheWarning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{IdleLogout: time.Minute})
		runPolicy(t, h)
		after(time.Minute + 10*time.Second)
		h.endSession(context.Background(), "by hand")
		synctest.Wait()
		after(time.Minute)
		h.login() // the user still idle: warned at once
		synctest.Wait()
		after(idleWarning)
		calls, notes := h.got()
		want(t, "calls", calls, "open idle at +0s", "end by hand at +1m10s", "end idle at +3m10s")
		if len(notes) != 4 || !strings.HasPrefix(notes[1], "#1 closed at +1m10s") || !strings.HasPrefix(notes[2], "#2 ") ||
			!strings.HasSuffix(notes[2], "at +2m10s") {
			t.Errorf("notifications:\n  %s", strings.Join(notes, "\n  "))
		}
	})
}

// A desktop without idle time is said once, however many sessions.
func TestIdleUnavailableIsSaidOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{IdleLogout: time.Hour})
		h.openErr = fmt.Errorf("%w: no Mutter, no X", idle.ErrUnavailable)
		runPolicy(t, h)
		h.endSession(context.Background(), "test")
		h.login()
		synctest.Wait()
		_, notes := h.got()
		want(t, "notifications", notes,
			"Cierre por inactividad no disponible: Este escritorio no informa del tiempo sin usar el teclado ni el ratón: la sesión no se cerrará por inactividad (logout_when_idle_after). at +0s")
	})
}

// logout_at warns 5 minutes before, and ends the session at the time,
// once; the next session is armed for the next day.
func TestLogoutAt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at := time.Now().Add(20 * time.Minute)
		clock := settings.Clock{Hour: at.Hour(), Minute: at.Minute(), Second: at.Second()}
		h := newFakeHost(session.KindUser, settings.WalkAway{LogoutAt: clock, HasLogoutAt: true})
		runPolicy(t, h)
		after(20 * time.Minute)
		calls, notes := h.got()
		want(t, "calls", calls, "end logout_at at +20m0s")
		hhmm := at.Format("15:04")
		want(t, "notifications", notes,
			"Cierre de sesión a las "+hhmm+": Su sesión se cerrará a las "+hhmm+". at +15m0s",
			"Fin de la jornada: La sesión de ana @ acme se cerró a las "+hhmm+", la hora de cierre fijada. Puede volver a iniciarla desde el icono de la bandeja. at +20m0s")

		h.login()
		synctest.Wait()
		after(23 * time.Hour)
		if calls, _ := h.got(); len(calls) != 1 {
			t.Errorf("a session opened after the time: %v", calls)
		}
		after(time.Hour)
		if calls, _ := h.got(); len(calls) != 2 || calls[1] != "end logout_at at +24h20m0s" {
			t.Errorf("the next day: %v", calls)
		}
	})
}

// A session opened within the 5 minutes is warned at once.
func TestLogoutAtSoonAfterLogin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at := time.Now().Add(2 * time.Minute)
		h := newFakeHost(session.KindUser, settings.WalkAway{LogoutAt: settings.Clock{Hour: at.Hour(), Minute: at.Minute(), Second: at.Second()}, HasLogoutAt: true})
		runPolicy(t, h)
		after(2 * time.Minute)
		calls, notes := h.got()
		want(t, "calls", calls, "end logout_at at +2m0s")
		if len(notes) != 2 || !strings.HasSuffix(notes[0], "at +0s") {
			t.Errorf("notifications %v", notes)
		}
	})
}

// Nothing is armed, and nothing read, with the policy off.
func TestPolicyOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFakeHost(session.KindAgent, settings.WalkAway{})
		w := runPolicy(t, h)
		w.screenLocked(true)
		synctest.Wait()
		after(48 * time.Hour)
		calls, notes := h.got()
		if len(calls)+len(notes) != 0 || h.user.readCount() != 0 {
			t.Errorf("calls %v, notifications %v, %d reads of the idle time", calls, notes, h.user.readCount())
		}
	})
}

func TestFormatLimit(t *testing.T) {
	for d, want := range map[time.Duration]string{
		90 * time.Second: "90 s", 15 * time.Minute: "15 min", time.Hour: "1 h", 90 * time.Minute: "1 h 30 min",
	} {
		if got := formatLimit(d); got != want {
			t.Errorf("formatLimit(%v) = %q, want %q", d, got, want)
		}
	}
}
