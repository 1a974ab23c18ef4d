//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact"
)

// idleWarning is how long the app's warning before a logout for
// inactivity stays; the logout comes when it is over.
const idleWarning = 60 * time.Second

// screenLocker is a way the desktop tells that the screen locked.
type screenLocker struct {
	name string
	set  func(d *desk, locked bool) error
}

// The desktop's two signals: logind's LockedHint on the user's session, as
// GNOME Shell and KDE set it, and the screen saver's ActiveChanged on the
// session bus (GNOME's name here; the freedesktop one is read the same).
var screenLockers = []screenLocker{
	{"logind", func(d *desk, locked bool) error { return d.Logind.SetLockedHint(locked) }},
	{"screensaver", func(d *desk, locked bool) error { return d.saver.SetActive(locked) }},
}

func (d *desk) lockScreen(l screenLocker, locked bool) {
	d.t.Helper()
	if err := l.set(d, locked); err != nil {
		d.t.Fatal(err)
	}
}

// walkAwayDesk is a desk with the tray, a fake logind and a screen saver.
func walkAwayDesk(t *testing.T) *desk {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true, logind: logindDelay})
	d.saver = testenv.StartScreenSaver(t, d.Bus, testenv.GNOMEScreenSaver, false)
	return d
}

// startRemembered starts the tray app and logs in from the command line,
// the password remembered, for the tray to offer the session again.
func (d *desk) startRemembered(kind string) (*testenv.Process, *testenv.Item) {
	d.t.Helper()
	res := d.start()
	item, _ := d.trayOf("Sin sesión")
	if r := d.run(password, "login", "--server", "http://"+d.addr, "--user", user, "--kind", kind,
		"--password-stdin", "--remember"); r.code != 0 {
		d.t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	waitTitle(d.t, item, "Conectado: "+user)
	return res, item
}

func (d *desk) calls(path string) int { return len(d.srv.RequestsTo(path)) }

// An agent who locks the screen is put on the lock_break at once, with the
// motive configured, and taken off it on unlocking: one call each, by
// either of the desktop's signals.
func TestScreenLockBreak(t *testing.T) {
	for _, l := range screenLockers {
		t.Run(l.name, func(t *testing.T) {
			d := walkAwayDesk(t)
			d.mergeSettings(map[string]any{"lock_break": "Almuerzo"})
			d.wantLog = append(d.wantLog, `msg="break started" motive=Almuerzo`, `msg="break ended" motive=Almuerzo`)
			res, item := d.startLoggedIn("agent")

			d.lockScreen(l, true)
			res.WaitLog(`msg="break started" motive=Almuerzo`, stepTimeout)
			if motive, _, ok := d.srv.Break(user); !ok || motive != "Almuerzo" {
				t.Fatalf("the server has the agent on break %q (%v)", motive, ok)
			}
			d.lockScreen(l, false)
			res.WaitLog(`msg="break ended" motive=Almuerzo`, stepTimeout)
			if _, _, ok := d.srv.Break(user); ok {
				t.Fatal("the server still has the agent on the break")
			}
			if b, u := d.calls(ucontact.PathAgentBreak), d.calls(ucontact.PathAgentUnBreak); b != 1 || u != 1 {
				t.Errorf("%d AgentBreak and %d AgentUnBreak calls; want one each", b, u)
			}
			waitTitle(t, item, "Conectado: "+user)
		})
	}
}

// The screen locked for logout_when_locked_after ends the session, in
// agent and user sessions: one end on the server; on unlocking, the tray
// offers the session again and a notification says when and why; taking
// the offer logs in again with the remembered password.
func TestScreenLockedTooLong(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := walkAwayDesk(t)
			d.mergeSettings(map[string]any{"lock_break": "Almuerzo", "logout_when_locked_after": "2s"})
			res, item := d.startRemembered(kind)

			locked := time.Now()
			d.lockScreen(screenLockers[0], true)
			waitTitle(t, item, "Sin sesión")
			ends := d.srv.RequestsTo(endPath(kind))
			if len(ends) != 1 {
				t.Fatalf("%d ends of the session on the server, want 1", len(ends))
			}
			if after := ends[0].At.Sub(locked); after < 2*time.Second {
				t.Errorf("ended %v after the lock, before the 2 s set", after)
			}
			wantBreaks := map[string]int{"agent": 1, "user": 0}[kind]
			if n := d.calls(ucontact.PathAgentBreak); n != wantBreaks {
				t.Errorf("%d AgentBreak calls, want %d", n, wantBreaks)
			}

			d.lockScreen(screenLockers[0], false)
			d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool {
				return n.Summary == "Sesión finalizada con la pantalla bloqueada" &&
					strings.Contains(n.Body, user+" @ "+d.addr) && strings.Contains(n.Body, "bloqueada 2 s")
			})
			relogin := "Volver a iniciar sesión (" + user + " @ " + d.addr + ")"
			waitMenu(t, item, "Sin sesión.", relogin, "Iniciar sesión…", "Salir")
			if n := d.calls(ucontact.PathAgentUnBreak); n != 0 {
				t.Errorf("%d AgentUnBreak calls after the session ended", n)
			}
			if err := item.Click(relogin); err != nil {
				t.Fatal(err)
			}
			waitTitle(t, item, "Conectado: "+user)
			if s := d.srv.Sessions(); len(s) != 2 || s[1].Ended != 0 || s[1].Kind != kind {
				t.Fatalf("server sessions after logging in again: %+v", s)
			}
			if !res.Running() {
				t.Fatal("the resident quit")
			}
		})
	}
}

// No input for logout_when_idle_after: a warning that stays 60 s, then the
// end of the session; the user's next input brings the notification of
// what happened, and the tray offers the session again. Input during the
// warning calls the logout off. The user's input is a fake GNOME idle
// monitor's on the session bus, which the app asks first.
func TestIdleLogout(t *testing.T) {
	t.Run("agent away", func(t *testing.T) {
		d := walkAwayDesk(t)
		monitor := testenv.StartFakeIdleMonitor(t, d.Bus)
		monitor.SetIdle(time.Hour)
		d.mergeSettings(map[string]any{"logout_when_idle_after": "1m"})
		res, item := d.startRemembered("agent")
		warned := d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool {
			return n.Summary == "Cierre de sesión por inactividad"
		})
		if want := "Su sesión se cerrará por inactividad en 60 s"; !strings.HasPrefix(warned.Body, want) {
			t.Errorf("warning %q, want %q", warned.Body, want)
		}
		shown := time.Now()
		testenv.WaitFor(t, idleWarning+stepTimeout, "the logout after the warning", func() bool {
			p, err := item.Props()
			return err == nil && strings.HasPrefix(p.Title, "Sin sesión")
		})
		if after := time.Since(shown); after < idleWarning-2*time.Second {
			t.Errorf("ended %v after the warning, before its 60 s", after)
		}
		if n := d.calls(ucontact.PathAgentLogoff); n != 1 {
			t.Errorf("%d AgentLogoff calls, want 1", n)
		}
		res.WaitLog(`msg="session ended by the walk-away policy" reason=idle`, stepTimeout)

		monitor.Input()
		d.Notes.Wait(t, 30*time.Second+stepTimeout, func(n testenv.Notification) bool {
			return n.Summary == "Sesión finalizada por inactividad" && strings.Contains(n.Body, "tras 1 min sin usar el teclado ni el ratón")
		})
		waitMenu(t, item, "Sin sesión.", "Volver a iniciar sesión ("+user+" @ "+d.addr+")", "Iniciar sesión…", "Salir")
	})

	t.Run("user back in time", func(t *testing.T) {
		d := walkAwayDesk(t)
		monitor := testenv.StartFakeIdleMonitor(t, d.Bus)
		monitor.SetIdle(time.Hour)
		d.mergeSettings(map[string]any{"logout_when_idle_after": "1m"})
		res, item := d.startLoggedIn("user")
		d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool {
			return n.Summary == "Cierre de sesión por inactividad" && strings.Contains(n.Body, "60 s")
		})
		monitor.Input()
		d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool { return n.Body == "Cierre cancelado" })
		res.WaitLog(`input during the warning; logout cancelled`, stepTimeout)
		if n := d.calls(ucontact.PathEndSession); n != 0 {
			t.Errorf("%d ends of the session after the cancel", n)
		}
		waitTitle(t, item, "Conectado: "+user)
	})
}

// logout_at ends the session at that time of day, once, and says so 5
// minutes before (here: at once, the time being a few seconds ahead; the
// key takes seconds, 22:00:30, for this).
func TestLogoutAt(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			d := walkAwayDesk(t)
			at := time.Now().Add(8 * time.Second).Truncate(time.Second)
			d.mergeSettings(map[string]any{"logout_at": at.Format("15:04:05")})
			_, item := d.startLoggedIn(kind)
			d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool {
				return n.Body == "Su sesión se cerrará a las "+at.Format("15:04")+"."
			})
			testenv.WaitFor(t, time.Until(at)+stepTimeout, "the logout at "+at.Format(time.TimeOnly), func() bool {
				p, err := item.Props()
				return err == nil && strings.HasPrefix(p.Title, "Sin sesión")
			})
			ends := d.srv.RequestsTo(endPath(kind))
			if len(ends) != 1 || ends[0].At.Before(at) {
				t.Fatalf("ends of the session %+v; want one, at %s or after", ends, at.Format(time.TimeOnly))
			}
			d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool { return n.Summary == "Fin de la jornada" })
		})
	}
}

// The Windows build under Wine: the lock posted to the app's hidden window
// (Wine never sends WM_WTSSESSION_CHANGE itself) puts the agent on the
// lock_break, and the screen locked past logout_when_locked_after ends the
// session; on unlocking, the balloon says so.
func TestWindowsScreenLock(t *testing.T) {
	w := newWine(t)
	d := newDesk(t, deskOptions{}) // the fake server; Wine reaches the host's loopback
	d.logDir = w.logDir()
	d.wantLog = append(d.wantLog, `msg="break started" motive=Almuerzo`, `msg="session ended by the walk-away policy" reason=locked`)
	locker := filepath.Join(w.dir, "screenlock.exe")
	build := exec.Command("go", "build", "-o", locker, "./internal/testenv/cmd/screenlock")
	build.Dir = ".."
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	testenv.Output(t, 10*time.Minute, build)
	lock := func(what string) {
		t.Helper()
		testenv.Output(t, wineTimeout, w.command("wine", "explorer", "/desktop="+w.desktop, windowsPath(locker), what))
	}

	w.writeSettings(`{"lock_break": "Almuerzo", "logout_when_locked_after": "3s"}`)
	app := w.startApp()
	app.WaitLog(`end-session window ready`, startTimeout)
	app.WaitLog(`tray ready`, startTimeout)
	if r := w.run(password, "login", "--server", d.srv.URL(), "--user", user, "--kind", "agent", "--password-stdin"); r.code != 0 {
		t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
	}
	app.WaitLog(`state=logged-in`, stepTimeout)

	lock("lock")
	app.WaitLog(`msg="break started" motive=Almuerzo`, stepTimeout)
	app.WaitLog(`msg="session ended by the walk-away policy" reason=locked`, stepTimeout)
	if b, e := d.calls(ucontact.PathAgentBreak), d.calls(ucontact.PathAgentLogoff); b != 1 || e != 1 {
		t.Errorf("%d AgentBreak and %d AgentLogoff calls; want one each", b, e)
	}
	lock("unlock")
	app.WaitLog(`msg=notification summary="Sesión finalizada con la pantalla bloqueada"`, stepTimeout)
	w.assertBalloonCall(app, "Sesión finalizada con la pantalla bloqueada")
	if n := d.calls(ucontact.PathAgentUnBreak); n != 0 {
		t.Errorf("%d AgentUnBreak calls after the session ended", n)
	}
}
