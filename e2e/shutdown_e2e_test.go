//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// The OS events: a shutdown or logoff announced by logind or by a signal,
// a suspend and a resume, a crash, a display that dies. Each must leave no
// session open on the server that the agent did not mean to leave open.

const (
	// logindDelay is the fake logind's InhibitDelayMaxUSec: the app's
	// deadline is then its own 3 s (less than three quarters of it).
	logindDelay = 5 * time.Second
	appDeadline = 3 * time.Second
	// deadlineMargin is what a lock may outlive the app's deadline by: the
	// logout's cancellation, the record saved, the fd closed, all under
	// a loaded CI machine.
	deadlineMargin = 1500 * time.Millisecond
	// slowAnswer is how long the server takes to answer an end of session
	// where the order matters: a lock let go before the answer shows by
	// that much.
	slowAnswer = 400 * time.Millisecond
)

var kinds = []string{"user", "agent"}

// A shutdown announced by logind while logged in: one end of session
// reaches the server, and is answered, before the delay lock is let go;
// then the app quits. The lock is taken only while a session is open.
// With a slow answer, a lock let go too early shows by that much, not by a
// scheduler's microseconds.
func TestShutdownEndsTheSessionBeforeTheLockIsReleased(t *testing.T) {
	for _, kind := range kinds {
		for _, answer := range []time.Duration{0, slowAnswer} {
			t.Run(fmt.Sprintf("%s/answer-after-%v", kind, answer), func(t *testing.T) {
				d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
				res := d.start()
				item, _ := d.trayOf("Sin sesión")
				res.WaitLog(`logind: watching" inhibit_delay_max=5s`, stepTimeout)
				time.Sleep(300 * time.Millisecond) // a lock taken by mistake would show by now
				if locks := d.Logind.Locks(); len(locks) != 0 {
					t.Fatalf("locks taken while logged out: %+v", locks)
				}

				if r := d.login(kind); r.code != 0 {
					t.Fatalf("login: %d %s", r.code, r.stderr)
				}
				waitTitle(t, item, "Conectado: "+user)
				d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)
				d.Logind.WaitHeld(t, "sleep", 1, stepTimeout)
				for _, l := range d.Logind.Locks() {
					if l.Mode != "delay" || l.Who != "ucontact-tray" || l.Why == "" {
						t.Errorf("lock %+v: want a delay lock by ucontact-tray, with a reason", l)
					}
				}
				if answer > 0 {
					d.srv.Inject(endPath(kind), fakeLatency(answer))
				}

				sent, err := d.Logind.PrepareForShutdown(true)
				if err != nil {
					t.Fatal(err)
				}
				released, err := d.Logind.WaitReleased("shutdown", logindDelay+time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if code := res.Exited(stepTimeout); code != 0 {
					t.Fatalf("resident exited %d after the shutdown", code)
				}
				d.endedWhileHeld(kind, sent, released, answer)
				if took := released.Sub(sent); took > appDeadline {
					t.Errorf("the lock was held %v with a server answering in %v; the deadline is %v", took, answer, appDeadline)
				}
				if s := d.srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
					t.Errorf("server sessions %+v", s)
				}
				if n := len(d.Logind.Locks()); n != 2 {
					t.Errorf("%d locks taken in all, want 2 (shutdown, sleep): %+v", n, d.Logind.Locks())
				}
				d.Logind.WaitHeld(t, "sleep", 0, stepTimeout)
				res.WaitLog(`session ended for the OS" notice=session-ending source=logind`, time.Second)
				if d.hasRecord() {
					t.Error("the session record outlived the session")
				}
			})
		}
	}
}

// A shutdown while the server cannot be reached, or does not answer: the
// lock is let go within the app's deadline anyway (3 s, or three quarters
// of logind's delay when that is shorter), the session stays on record,
// and the next start ends it and says so.
func TestShutdownWithTheServerDown(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration // logind's InhibitDelayMaxUSec
		hang  bool          // the server takes the call and never answers; else it is gone
		// within is when the lock must be released after the announcement.
		within time.Duration
	}{
		{name: "refused", delay: logindDelay, within: appDeadline + deadlineMargin},
		{name: "hanging", delay: logindDelay, hang: true, within: appDeadline + deadlineMargin},
		// logind goes on by itself after 2 s: the app must let go before.
		{name: "hanging-2s-delay", delay: 2 * time.Second, hang: true, within: 2 * time.Second},
	} {
		// What the app allows itself: the least of 3 s and 3/4 of the delay.
		deadline := min(appDeadline, tc.delay*3/4)
		for _, kind := range kinds {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: tc.delay})
				res, _ := d.startLoggedIn(kind)
				d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)
				if tc.hang {
					d.srv.Inject(endPath(kind), fake.Fault{Latency: time.Minute})
				} else {
					d.srv.Close()
				}

				sent, err := d.Logind.PrepareForShutdown(true)
				if err != nil {
					t.Fatal(err)
				}
				released, err := d.Logind.WaitReleased("shutdown", tc.delay+time.Second)
				if err != nil {
					t.Fatal(err)
				}
				took := released.Sub(sent)
				if took > tc.within {
					t.Errorf("the lock was released %v after the shutdown was announced; want at most %v (the app's deadline is %v)",
						took, tc.within, deadline)
				}
				if tc.hang && took < deadline/2 {
					t.Errorf("the lock was released after %v: the app gave up on the server well before its %v deadline", took, deadline)
				}
				if code := res.Exited(stepTimeout); code != 0 {
					t.Fatalf("resident exited %d after the shutdown", code)
				}
				if s := d.srv.Sessions(); len(s) != 1 || s[0].Ended != 0 {
					t.Fatalf("server sessions %+v: the server was down, nothing can have ended", s)
				}
				if !d.hasRecord() {
					t.Fatal("no session record left: the open session is forgotten")
				}
				st := d.status()
				if st["state"] != "logout-pending" || st["user"] != user || st["kind"] != kind || st["logout_pending"] != true {
					t.Fatalf("status after the failed shutdown logout: %v", st)
				}

				// The server is back, and so is the machine.
				d.srv.ClearFaults()
				if !tc.hang {
					if _, err := d.srv.Listen(d.addr); err != nil {
						t.Fatal(err)
					}
				}
				again := d.start()
				d.waitRecoveredNotice()
				d.assertEndedOnce()
				testenv.WaitFor(t, stepTimeout, "the record to go", func() bool { return !d.hasRecord() })
				d.Logind.WaitHeld(t, "shutdown", 0, stepTimeout)
				if !again.Running() {
					t.Fatal("the next start did not stay running")
				}
			})
		}
	}
}

// A shutdown that is announced and then cancelled ends nothing and keeps
// the lock, which still works for the shutdown that follows.
func TestShutdownCancelledKeepsTheLock(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
			res, item := d.startLoggedIn(kind)
			d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)

			if _, err := d.Logind.PrepareForShutdown(false); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // an end of session, or a lock let go, would show by now
			if n := d.Logind.Held("shutdown"); n != 1 {
				t.Fatalf("%d shutdown locks held after a cancelled shutdown, want 1", n)
			}
			if n := d.endRequests(); n != 0 {
				t.Fatalf("%d ends of session for a cancelled shutdown", n)
			}
			waitTitle(t, item, "Conectado: "+user)
			if !res.Running() {
				t.Fatal("the resident quit for a cancelled shutdown")
			}

			// Signals on one connection arrive in order: this one comes
			// after the cancellation has been handled.
			d.srv.Inject(endPath(kind), fakeLatency(slowAnswer))
			sent, err := d.Logind.PrepareForShutdown(true)
			if err != nil {
				t.Fatal(err)
			}
			released, err := d.Logind.WaitReleased("shutdown", logindDelay+time.Second)
			if err != nil {
				t.Fatal(err)
			}
			d.endedWhileHeld(kind, sent, released, slowAnswer)
			if code := res.Exited(stepTimeout); code != 0 {
				t.Fatalf("resident exited %d", code)
			}
		})
	}
}

// Suspend, with logout_on_suspend at its default (on): the session is
// ended before the sleep lock is let go; on resume the tray offers the
// session back and a notification says what happened. Taking the offer
// logs in again with the remembered password.
func TestSleepEndsTheSessionAndOffersItBack(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
			res := d.start()
			item, _ := d.trayOf("Sin sesión")
			if r := d.run(password, "login", "--server", "http://"+d.addr, "--user", user, "--kind", kind,
				"--password-stdin", "--remember"); r.code != 0 {
				t.Fatalf("login: %d %s", r.code, r.stderr)
			}
			waitTitle(t, item, "Conectado: "+user)
			d.Logind.WaitHeld(t, "sleep", 1, stepTimeout)

			d.srv.Inject(endPath(kind), fakeLatency(slowAnswer))
			sent, err := d.Logind.PrepareForSleep(true)
			if err != nil {
				t.Fatal(err)
			}
			released, err := d.Logind.WaitReleased("sleep", logindDelay+time.Second)
			if err != nil {
				t.Fatal(err)
			}
			d.endedWhileHeld(kind, sent, released, slowAnswer)
			waitTitle(t, item, "Sin sesión")
			d.Logind.WaitHeld(t, "shutdown", 0, stepTimeout) // nothing left to protect

			if _, err := d.Logind.PrepareForSleep(false); err != nil {
				t.Fatal(err)
			}
			d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool {
				return n.Summary == "Sesión finalizada durante la suspensión" && strings.Contains(n.Body, user+" @ "+d.addr)
			})
			relogin := "Volver a iniciar sesión (" + user + " @ " + d.addr + ")"
			waitMenu(t, item, "Sin sesión.", relogin, "Iniciar sesión…", "Salir")
			if n := d.Logind.Held("sleep"); n != 0 {
				t.Errorf("%d sleep locks taken on resume with no session open", n)
			}
			if !res.Running() {
				t.Fatal("the resident quit on suspend")
			}

			if err := item.Click(relogin); err != nil {
				t.Fatal(err)
			}
			p := waitTitle(t, item, "Conectado: "+user)
			waitMenu(t, item, p.Title, "Finalizar Sesión", "Abrir…", "Salir")
			if s := d.srv.Sessions(); len(s) != 2 || s[0].Ended != 1 || s[1].Ended != 0 || s[1].Kind != kind {
				t.Fatalf("server sessions after logging in again: %+v", s)
			}
			d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)
			d.Logind.WaitHeld(t, "sleep", 1, stepTimeout)
			if r := d.run("", "logout"); r.code != 0 {
				t.Fatalf("logout: %d %s", r.code, r.stderr)
			}
		})
	}
}

// Suspend with logout_on_suspend off: the session stays open, the sleep
// lock is let go at once, and taken again on resume.
func TestSleepWithLogoutOnSuspendOff(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
			d.mergeSettings(map[string]any{"logout_on_suspend": false})
			res, item := d.startLoggedIn(kind)
			d.Logind.WaitHeld(t, "sleep", 1, stepTimeout)

			sent, err := d.Logind.PrepareForSleep(true)
			if err != nil {
				t.Fatal(err)
			}
			// Held until the deadline would mean nobody said Done.
			released, err := d.Logind.WaitReleased("sleep", appDeadline)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("sleep lock released %v after the suspend", released.Sub(sent).Round(time.Millisecond))
			if _, err := d.Logind.PrepareForSleep(false); err != nil {
				t.Fatal(err)
			}
			d.Logind.WaitHeld(t, "sleep", 1, stepTimeout) // ready for the next suspend

			if n := d.endRequests(); n != 0 {
				t.Fatalf("%d ends of session on suspend with logout_on_suspend off", n)
			}
			p := waitTitle(t, item, "Conectado: "+user)
			waitMenu(t, item, p.Title, "Finalizar Sesión", "Abrir…", "Salir")
			if st := d.status(); st["state"] != "logged-in" {
				t.Fatalf("status after resume: %v", st)
			}
			if s := d.srv.OpenSessions(); len(s) != 1 {
				t.Fatalf("open server sessions %+v", s)
			}
			for _, n := range d.Notes.All() {
				if n.Summary == "Sesión finalizada durante la suspensión" {
					t.Errorf("told the user the session ended, and it did not: %q", n.Body)
				}
			}
			// The login through the resident saved its choices next to the
			// setting, without losing it.
			if v, ok := d.settings()["logout_on_suspend"]; !ok || v != false {
				t.Errorf("logout_on_suspend after login = %v (present %v), want false", v, ok)
			}
			if !res.Running() {
				t.Fatal("the resident quit on suspend")
			}
			d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)
		})
	}
}

// A logoff stops the session's processes with SIGTERM; a closing terminal
// sends SIGHUP. Either ends the session once, and the app exits cleanly.
func TestSignalEndsTheSession(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		for _, kind := range kinds {
			t.Run(sigName(sig)+"/"+kind, func(t *testing.T) {
				d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
				res, _ := d.startLoggedIn(kind)
				d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)

				if err := res.Signal(sig); err != nil { // the resident only, not its group
					t.Fatal(err)
				}
				if code := res.Exited(stepTimeout); code != 0 {
					t.Fatalf("resident exited %d on %v", code, sig)
				}
				d.oneEnd(kind)
				d.assertEndedOnce()
				res.WaitLog(`session ended for the OS" notice=session-ending source=`+sig.String(), time.Second)
				if d.hasRecord() {
					t.Error("the session record outlived the session")
				}
				d.Logind.WaitHeld(t, "shutdown", 0, stepTimeout)
			})
		}
	}
}

// SIGKILL leaves no chance to end anything: the lock goes with the
// process (the OS is not held back by a dead app), and the next start ends
// the session and says so.
func TestKillThenRestartEndsTheSession(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
			res, _ := d.startLoggedIn(kind)
			d.Logind.WaitHeld(t, "shutdown", 1, stepTimeout)

			if err := res.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			res.Exited(stepTimeout)
			d.Logind.WaitHeld(t, "shutdown", 0, stepTimeout)
			if n := d.endRequests(); n != 0 {
				t.Fatalf("%d ends of session from a killed app", n)
			}
			if !d.hasRecord() {
				t.Fatal("no session record after the kill: the open session is forgotten")
			}

			again := d.start()
			item, _ := d.trayOf("Sin sesión")
			d.waitRecoveredNotice()
			d.oneEnd(kind)
			d.assertEndedOnce()
			waitMenu(t, item, "Sin sesión.", "Iniciar sesión…", "Salir")
			d.Logind.WaitHeld(t, "shutdown", 0, stepTimeout)
			if !again.Running() {
				t.Fatal("the second start did not stay running")
			}
		})
	}
}

// The X server dies under a logged-in app (a thin client's display
// restarting). The window dies with it; the resident, which never uses X,
// keeps the session and its protection, and a restart of the app hands
// over to it. A logout from the shell then ends the session.
func TestDisplayLostKeepsTheSession(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := newDesk(t, deskOptions{keyring: true, tray: true, logind: logindDelay})
			var xvfb *os.Process
			d.Display, xvfb = testenv.StartXvfbProcess(t)
			res, item := d.startLoggedIn(kind)
			res.WaitLog(`window started`, stepTimeout)
			d.waitWindow() // the window is an X client when the display goes

			if err := xvfb.Kill(); err != nil {
				t.Fatal(err)
			}
			if _, err := xvfb.Wait(); err != nil {
				t.Fatal(err)
			}
			testenv.WaitFor(t, stepTimeout, "the window to end", func() bool { return windowsEnded(res) == 1 })
			select {
			case <-res.Done():
				t.Fatalf("the resident ended with the display (%v)", res.Err())
			case <-time.After(500 * time.Millisecond):
			}

			second := d.start()
			if code := second.Exited(stepTimeout); code != 0 {
				t.Fatalf("restart exited %d", code)
			}
			second.WaitLog(`ya está en marcha`, time.Second)
			// The resident tries to show its window, which cannot open.
			testenv.WaitFor(t, startTimeout, "the second window to end", func() bool {
				return strings.Count(res.Output(), "window started") == 2 && windowsEnded(res) == 2
			})

			if !res.Running() {
				t.Fatal("the resident died with the display")
			}
			waitTitle(t, item, "Conectado: "+user)
			if st := d.status(); st["state"] != "logged-in" || st["kind"] != kind {
				t.Fatalf("status without a display: %v", st)
			}
			if n := d.endRequests(); n != 0 {
				t.Fatalf("%d ends of session when the display went", n)
			}
			if s := d.srv.OpenSessions(); len(s) != 1 {
				t.Fatalf("open server sessions %+v", s)
			}
			if n := d.Logind.Held("shutdown"); n != 1 {
				t.Fatalf("%d shutdown locks held, want 1: the session is no longer protected", n)
			}

			if r := d.run("", "logout"); r.code != 0 {
				t.Fatalf("logout: %d %s", r.code, r.stderr)
			}
			d.oneEnd(kind)
			d.assertEndedOnce()
			waitTitle(t, item, "Sin sesión")
			d.Logind.WaitHeld(t, "shutdown", 0, stepTimeout)
		})
	}
}

// TestShutdownLatency prints how long a shutdown takes: from logind's
// announcement to the end of session reaching the server, and from there
// to the lock's release. Nothing is asserted on speed (make bench has the
// targets); each run must still end the session before the release.
func TestShutdownLatency(t *testing.T) {
	const runs = 20
	type row struct {
		name             string
		latency          time.Duration
		toEnd, toRelease []time.Duration
	}
	rows := []*row{{name: "server answers at once"}, {name: "server +1 s", latency: time.Second}}
	for _, r := range rows {
		d := newDesk(t, deskOptions{keyring: true, tray: true, logind: logindDelay})
		for i := range runs {
			kind := kinds[i%len(kinds)]
			// Logged in from the shell first: the resident adopts the
			// session at start and opens no window, so no display is needed.
			if res := d.login(kind); res.code != 0 {
				t.Fatalf("%s, run %d: login: %d %s", r.name, i, res.code, res.stderr)
			}
			res := d.start()
			d.Logind.WaitHeld(t, "shutdown", 1, startTimeout)
			before := len(d.srv.RequestsTo(endPath(kind)))
			if r.latency > 0 {
				d.srv.Inject(endPath(kind), fake.Fault{Latency: r.latency, Times: 1})
			}
			sent, err := d.Logind.PrepareForShutdown(true)
			if err != nil {
				t.Fatal(err)
			}
			released, err := d.Logind.WaitReleased("shutdown", logindDelay+time.Second)
			if err != nil {
				t.Fatalf("%s, run %d: %v", r.name, i, err)
			}
			if code := res.Exited(stepTimeout); code != 0 {
				t.Fatalf("%s, run %d: resident exited %d", r.name, i, code)
			}
			ends := d.srv.RequestsTo(endPath(kind))
			if len(ends) != before+1 {
				t.Fatalf("%s, run %d: %d ends of session, want 1", r.name, i, len(ends)-before)
			}
			at := ends[len(ends)-1].At
			if !at.After(sent) || released.Before(at.Add(r.latency)) {
				t.Fatalf("%s, run %d: end of session at %s (answered %v later), shutdown at %s, lock released at %s",
					r.name, i, clock(at), r.latency, clock(sent), clock(released))
			}
			if open := d.srv.OpenSessions(); len(open) != 0 {
				t.Fatalf("%s, run %d: sessions left open %+v", r.name, i, open)
			}
			r.toEnd = append(r.toEnd, at.Sub(sent))
			r.toRelease = append(r.toRelease, released.Sub(at))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "shutdown latency, %d runs per case (user and agent alternating), ms as median / min / max:\n", runs)
	fmt.Fprintf(&b, "  %-24s %-28s %s\n", "case", "signal → end at server", "end at server → lock released")
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-24s %-28s %s\n", r.name, spread(r.toEnd), spread(r.toRelease))
	}
	t.Log(b.String())
}

// Helpers.

// endedWhileHeld checks that exactly one end of session, of kind, reached
// the server after the OS announced what it was doing (at from), and that
// the lock was released only once it had been answered (the server took
// answer to).
func (d *desk) endedWhileHeld(kind string, from, released time.Time, answer time.Duration) {
	d.t.Helper()
	end := d.oneEnd(kind)
	if !end.At.After(from) || !end.At.Before(released) || released.Before(end.At.Add(answer)) {
		d.t.Errorf("announced %s, end of session arrived %s and was answered %v later, lock released %s: "+
			"want the lock held until the answer", clock(from), clock(end.At), answer, clock(released))
	}
}

// endRequests counts the calls that end a session, of either kind.
func (d *desk) endRequests() int {
	return len(d.srv.RequestsTo(ucontact.PathEndSession)) + len(d.srv.RequestsTo(ucontact.PathAgentLogoff))
}

// oneEnd checks that exactly one end of session reached the server, by the
// call of kind, and returns it.
func (d *desk) oneEnd(kind string) fake.Request {
	d.t.Helper()
	ends := d.srv.RequestsTo(endPath(kind))
	if len(ends) != 1 || d.endRequests() != 1 {
		d.t.Fatalf("%d %s calls and %d ends of session in all, want exactly one %s",
			len(ends), endPath(kind), d.endRequests(), endPath(kind))
	}
	return ends[0]
}

func (d *desk) stateDir() string { return filepath.Join(d.home.Dir, ".config", "ucontact-tray") }

// hasRecord reports whether the session record is on disk.
func (d *desk) hasRecord() bool {
	d.t.Helper()
	_, err := os.Stat(filepath.Join(d.stateDir(), "session.json"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.t.Fatal(err)
	}
	return err == nil
}

// settings reads the app's settings file, as a map.
func (d *desk) settings() map[string]any {
	d.t.Helper()
	s := map[string]any{}
	b, err := os.ReadFile(filepath.Join(d.stateDir(), "settings.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return s
	}
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		d.t.Fatal(err)
	}
	return s
}

// mergeSettings sets keys in the app's settings file, keeping the others.
func (d *desk) mergeSettings(keys map[string]any) {
	d.t.Helper()
	s := d.settings()
	for k, v := range keys {
		s[k] = v
	}
	b, err := json.Marshal(s)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := os.MkdirAll(d.stateDir(), 0o700); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.stateDir(), "settings.json"), b, 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// windowsEnded counts the window processes the resident saw end.
func windowsEnded(p *testenv.Process) int {
	out := p.Output()
	return strings.Count(out, `msg="window process ended"`) + strings.Count(out, `msg="window closed"`)
}

func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return fmt.Sprint(int(s))
}

func clock(t time.Time) string { return t.Format("15:04:05.000") }

// spread is "median / min / max" of ds in milliseconds.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	return ms(med) + " / " + ms(s[0]) + " / " + ms(s[len(s)-1])
}
