//go:build e2e

package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

// registerWithin is how soon after a tray host starts the app's icon must
// be registered with it.
const registerWithin = time.Second

// waitRegistered waits for the app's item to be registered with the host
// started last, fails the test if that took longer than registerWithin
// from the host's start, and returns the item.
func waitRegistered(t *testing.T, regs *testenv.Registrations, host *testenv.Host) *testenv.Item {
	t.Helper()
	reg := regs.Wait(t, host.Started, startTimeout)
	took := reg.At.Sub(host.Started)
	t.Logf("tray host started → icon registered: %v", took.Round(time.Millisecond))
	if took > registerWithin {
		t.Errorf("the icon was registered %v after the host started, want within %v", took, registerWithin)
	}
	return reg.Item(regs.Conn)
}

// assertListedOnce fails unless the watcher lists exactly one item: the
// app's, once (a second registration would be a second icon).
func assertListedOnce(t *testing.T, regs *testenv.Registrations, item *testenv.Item) {
	t.Helper()
	items, err := regs.Listed()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !slices.Contains([]string{item.String(), item.Dest}, items[0]) {
		t.Errorf("the watcher lists %q, want the app's item %s once", items, item)
	}
}

// A panel that starts after the app (login under load): the app, in its
// no-tray mode by then, puts its icon in the panel as soon as it appears,
// and Finalizar Sesión works from it.
func TestTrayHostStartsAfterTheApp(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true})
	d.wantLog = append(d.wantLog, `msg="tray icon available; the window is no longer needed open"`)
	regs := testenv.FollowRegistrations(t, d.Bus)
	started := time.Now()
	res := d.start()
	res.WaitLog(`no tray icon available; the window stays open instead" reason=no-host`, startTimeout)
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	d.screenshot("1-no-tray-window")
	// The panel comes 5 s after the app: the scenario, not a wait for it.
	<-time.After(time.Until(started.Add(5 * time.Second)))

	host := testenv.StartHost(t, d.Bus, d.Display)
	item := waitRegistered(t, regs, host)
	res.WaitLog(`tray icon available`, stepTimeout)
	assertListedOnce(t, regs, item)
	waitTitle(t, item, "Sin sesión")
	d.assertOneIcon(host)
	d.screenshot("2-tray-and-window")

	if r := d.login("user"); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	p := waitTitle(t, item, "Conectado: "+user)
	waitMenu(t, item, p.Title, "Finalizar Sesión", "Abrir…", "Salir")
	if err := item.Click("Finalizar Sesión"); err != nil {
		t.Fatal(err)
	}
	waitTitle(t, item, "Sin sesión")
	d.assertEndedOnce()
	if !res.Running() {
		t.Fatal("the tray app is gone")
	}
}

// A panel that restarts (a crash, `xfce4-panel -r`): each new one gets the
// icon at once, and a short absence opens no window. A panel gone for
// longer leaves the window to stand in for it, until one comes back.
func TestTrayHostRestarts(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true})
	d.wantLog = append(d.wantLog, `msg="tray icon registered" why=`)
	regs := testenv.FollowRegistrations(t, d.Bus)
	host := testenv.StartHost(t, d.Bus, d.Display)
	if r := d.login("user"); r.code != 0 { // on its own: no window at start
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	appStarted := time.Now()
	res := d.start()
	item := regs.Wait(t, appStarted, startTimeout).Item(regs.Conn)
	waitTitle(t, item, "Conectado: "+user)

	for i := range 3 {
		host.Kill()
		host = testenv.StartHost(t, d.Bus, d.Display)
		item = waitRegistered(t, regs, host)
		assertListedOnce(t, regs, item)
		waitTitle(t, item, "Conectado: "+user)
		d.assertOneIcon(host)
		d.screenshot("restart-" + string(rune('1'+i)))
	}
	if strings.Contains(res.Output(), "no tray icon available") || strings.Contains(res.Output(), "window started") {
		t.Fatalf("a panel back within the grace period opened the window:\n%s", res.Output())
	}

	// Gone for longer than the grace period: the window opens in its place.
	host.Kill()
	res.WaitLog(`no tray icon available; the window stays open instead" reason=no-host`, stepTimeout)
	res.WaitLog(`window started`, stepTimeout)
	host = testenv.StartHost(t, d.Bus, d.Display)
	item = waitRegistered(t, regs, host)
	res.WaitLog(`tray icon available`, stepTimeout)
	d.assertOneIcon(host)
	if err := item.Click("Finalizar Sesión"); err != nil {
		t.Fatal(err)
	}
	waitTitle(t, item, "Sin sesión")
	d.assertEndedOnce()
}

// A panel that restarts under a watcher kept by another process (KDE's
// kded, a standalone status-notifier-watcher): the watcher still lists the
// icon, so nothing registers it again, and the new panel reads the menu as
// soon as it starts. Its Pausa submenu still has its entries: a GTK panel
// given the whole menu at once draws its submenus empty.
func TestTrayHostRestartsUnderAKeptWatcher(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true})
	d.writePresets("break_motives = Almuerzo, Baño, Capacitación\n")
	testenv.StartStandaloneWatcher(t, d.Bus)
	regs := testenv.FollowRegistrations(t, d.Bus)
	host := testenv.StartHost(t, d.Bus, d.Display)
	item, _ := d.agentInTheTray(regs)
	d.assertOneIcon(host)
	d.openSubmenu("1-pausa-submenu")

	host.Kill()
	host = testenv.StartHost(t, d.Bus, d.Display)
	assertListedOnce(t, regs, item)
	d.assertOneIcon(host)
	d.openSubmenu("2-pausa-submenu-in-a-new-panel")
}
