//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact"
)

const (
	startTimeout = 30 * time.Second // the first start of a window loads Mesa's software GL
	stepTimeout  = 15 * time.Second
)

// trayOf waits for the resident's item and for it to show the title want.
func (d *desk) trayOf(want string) (*testenv.Item, testenv.ItemProps) {
	d.t.Helper()
	item := d.Watcher.WaitItem(d.t, startTimeout)
	return item, waitTitle(d.t, item, want)
}

// waitTitle waits until the tray's title starts with want.
func waitTitle(t *testing.T, item *testenv.Item, want string) testenv.ItemProps {
	t.Helper()
	var p testenv.ItemProps
	testenv.WaitFor(t, stepTimeout, "tray title "+want, func() bool {
		var err error
		p, err = item.Props()
		return err == nil && strings.HasPrefix(p.Title, want)
	})
	return p
}

// waitMenu waits until the visible menu entries are want.
func waitMenu(t *testing.T, item *testenv.Item, want ...string) testenv.MenuNode {
	t.Helper()
	var root testenv.MenuNode
	var got []string
	testenv.WaitFor(t, stepTimeout, fmt.Sprintf("menu %q", want), func() bool {
		var err error
		root, err = item.Layout()
		got = root.VisibleLabels()
		return err == nil && slices.Equal(got, want)
	})
	return root
}

// waitWindow waits until a window is drawn on the display.
func (d *desk) waitWindow() {
	d.t.Helper()
	probe := d.t.TempDir() + "/probe.png"
	testenv.WaitFor(d.t, startTimeout, "the window to be drawn", func() bool {
		img := testenv.Screenshot(d.t, d.Display, probe)
		return testenv.NonBackground(img, image.Rect(0, 0, 1280, 800)) > 50000
	})
	time.Sleep(300 * time.Millisecond) // let the focus settle before typing
}

func (d *desk) typeText(text string) {
	testenv.XDoTool(d.t, d.Display, "type", "--delay", "15", text)
}

func (d *desk) key(name string) {
	testenv.XDoTool(d.t, d.Display, "key", name)
}

// keyringItems lists the app's entries in the keyring, as another program
// (secret-tool) sees them.
func (d *desk) keyringItems() string {
	d.t.Helper()
	cmd := exec.Command(testenv.Require(d.t, "secret-tool", "libsecret-tools"), "search", "--all", "service", "ucontact-tray")
	cmd.Env = d.env()
	r := testenv.Run(d.t, 0, cmd, "") // exits 1 when nothing matches
	return r.Stdout + r.Stderr
}

// startLoggedIn starts the tray app and logs in from the command line.
func (d *desk) startLoggedIn(kind string) (*testenv.Process, *testenv.Item) {
	d.t.Helper()
	res := d.start()
	item, _ := d.trayOf("Sin sesión")
	if r := d.login(kind); r.code != 0 {
		d.t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	waitTitle(d.t, item, "Conectado: "+user)
	return res, item
}

func pixmapOf(p testenv.ItemProps) string {
	if len(p.IconPixmap) != 1 {
		return ""
	}
	return string(p.IconPixmap[0].Pix)
}

// The product as an agent uses it: the tray at start, the login window
// typed into, the tray logged in, Finalizar Sesión clicked in the menu.
func TestTrayLoginAndEndSession(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	res := d.start()
	item, p := d.trayOf("Sin sesión")
	if p.ID != "ucontact-tray" || p.Status != "Active" || p.ToolTip.Title != "Sin sesión." {
		t.Errorf("item Id %q, Status %q, ToolTip %q", p.ID, p.Status, p.ToolTip.Title)
	}
	if len(p.IconPixmap) != 1 || p.IconPixmap[0].W != 64 || p.IconPixmap[0].H != 64 {
		t.Fatalf("icon pixmaps %d", len(p.IconPixmap))
	}
	loggedOutIcon := pixmapOf(p)
	root := waitMenu(t, item, "Sin sesión.", "Iniciar sesión…", "Salir")
	if status, _ := root.Find("Sin sesión."); status.Enabled() {
		t.Error("the status line is clickable")
	}

	// Logged out at start: the window opens by itself, cursor in Servidor.
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	d.screenshot("1-login-window")
	d.typeText("http://" + d.addr)
	d.key("Return")
	d.typeText(typist)
	d.key("Return")
	d.typeText(typistPassword)
	d.screenshot("2-login-filled")
	d.key("Return")

	p = waitTitle(t, item, "Conectado: "+typist+" @ "+d.addr)
	if pixmapOf(p) == loggedOutIcon {
		t.Error("the icon did not change on login")
	}
	waitMenu(t, item, p.Title, "Finalizar Sesión", "Abrir…", "Salir")
	res.WaitLog(`window closed`, stepTimeout)
	d.screenshot("3-logged-in")
	if items := d.keyringItems(); !strings.Contains(items, "session/") || !strings.Contains(items, `"user":"`+typist+`"`) {
		t.Fatalf("no session in the keyring after login:\n%s", items)
	}
	assertNoGL(t, res.PID())
	// The first login turned on "Iniciar con el sistema".
	d.waitLoginSaved(typist)
	d.assertAutostart(true)

	if err := item.Click("Finalizar Sesión"); err != nil {
		t.Fatal(err)
	}
	waitTitle(t, item, "Sin sesión")
	sessions := d.srv.Sessions()
	ends := d.srv.RequestsTo(ucontact.PathEndSession)
	if len(sessions) != 1 || sessions[0].Ended != 1 || len(ends) != 1 ||
		ends[0].Header.Get("Authorization") != "Basic "+sessions[0].Token {
		t.Fatalf("sessions %+v, %d EndSession calls", sessions, len(ends))
	}
	if items := d.keyringItems(); strings.Contains(items, "session/") || strings.Contains(items, "token/") {
		t.Fatalf("token still in the keyring after Finalizar Sesión:\n%s", items)
	}
	d.assertAutostart(true) // a setting, not part of the session
}

// Commands from a shell go through the running tray app: its tray follows.
func TestCommandsDriveTheRunningTray(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	res := d.start()
	item, _ := d.trayOf("Sin sesión")
	res.WaitLog(`window started`, startTimeout)

	if r := d.login("agent"); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	p := waitTitle(t, item, "Conectado: "+user)
	if r := d.run("", "status", "--json"); !strings.Contains(r.stdout, `"state": "logged-in"`) || !strings.Contains(r.stdout, `"kind": "agent"`) {
		t.Errorf("status through the tray app: %s", r.stdout)
	}

	// A second start asks the first to show its window, and ends. The
	// window opened at start is still there (now showing the session), so
	// it is brought to the front rather than started again.
	second := d.start()
	if code := second.Exited(stepTimeout); code != 0 {
		t.Fatalf("second start exited %d", code)
	}
	second.WaitLog(`ya está en marcha`, time.Second)
	res.WaitLog(`window raised`, stepTimeout)
	if n := strings.Count(res.Output(), "window started"); n != 1 {
		t.Errorf("%d windows started, want 1", n)
	}

	if r := d.run("", "logout"); r.code != 0 {
		t.Fatalf("logout: %d %s", r.code, r.stderr)
	}
	waitTitle(t, item, "Sin sesión")
	d.assertEndedOnce()
	if n := len(d.srv.RequestsTo(ucontact.PathAgentLogoff)); n != 1 {
		t.Fatalf("%d AgentLogoff calls, want 1", n)
	}
	if p.Title == "" {
		t.Error("no title while logged in")
	}
}

// Salir ends the session first: an app that is not running cannot protect
// the agent.
func TestQuitEndsTheSession(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	res, item := d.startLoggedIn("user")
	if err := item.Click("Salir"); err != nil {
		t.Fatal(err)
	}
	if code := res.Exited(stepTimeout); code != 0 {
		t.Fatalf("resident exited %d", code)
	}
	d.assertEndedOnce()
}

// The window dies mid-login (GL drivers on thin clients do): the resident
// carries on, and the login the user asked for completes.
func TestWindowKilledMidLogin(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	d.srv.Inject(ucontact.PathGetUserToken, fakeLatency(2*time.Second))
	res := d.start()
	item, _ := d.trayOf("Sin sesión")
	pid, err := strconv.Atoi(res.WaitLog(`window started" pid=(\d+)`, startTimeout)[1])
	if err != nil {
		t.Fatal(err)
	}
	d.waitWindow()
	d.typeText("http://" + d.addr)
	d.key("Return")
	d.typeText(typist)
	d.key("Return")
	d.typeText(typistPassword)
	d.key("Return")
	waitTitle(t, item, "Iniciando sesión")
	d.screenshot("1-logging-in")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	res.WaitLog(`window process ended`, stepTimeout)
	waitTitle(t, item, "Conectado: "+typist)
	if !res.Running() {
		t.Fatal("the resident died with its window")
	}
	if r := d.run("", "logout"); r.code != 0 {
		t.Fatalf("logout: %s", r.stderr)
	}
	d.assertEndedOnce()
}

// With no status-notifier host (GNOME without the AppIndicator extension)
// or no session bus at all, the window stays open instead, and says why.
func TestNoTrayFallback(t *testing.T) {
	for _, tc := range []struct {
		name   string
		noBus  bool
		reason string
	}{
		{"no tray host", false, "no-host"},
		{"no session bus", true, "no-bus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t, deskOptions{display: true})
			if tc.noBus {
				d.Bus = "disabled:"
			}
			res := d.start()
			res.WaitLog(`reason=`+tc.reason, startTimeout)
			d.waitWindow()
			d.screenshot("1-no-tray-window")
			d.key("Return") // focus is in the empty Servidor: Enter moves on, nothing crashes
			if r := d.login("user"); r.code != 0 {
				t.Fatalf("login: %s", r.stderr)
			}
			time.Sleep(time.Second) // let the window redraw the session view
			d.screenshot("2-no-tray-session")
			if !res.Running() {
				t.Fatalf("resident gone:\n%s", res.Output())
			}
			if r := d.run("", "logout"); r.code != 0 {
				t.Fatalf("logout: %s", r.stderr)
			}
			// What reaches the terminal is the app's log, and only it:
			// the tray library's complaint that no host took the icon
			// included.
			for _, line := range strings.Split(strings.TrimSpace(res.Output()), "\n") {
				if !strings.HasPrefix(line, "time=") {
					t.Errorf("a line on the terminal outside the app's log: %q", line)
				}
			}
		})
	}
}

// A session left open by a resident that was killed is ended at the next
// start, and the user is told: by a notification, and by the window, which
// opens on its own and says which session was ended.
func TestRecoveredSessionIsEndedAndNotified(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	res, _ := d.startLoggedIn("agent")
	res.Kill() // and the login window it opened at start

	res = d.start()
	d.waitRecoveredNotice()
	d.assertEndedOnce()
	res.WaitLog(`opening the window: a session left open by the previous run was ended`, stepTimeout)
	d.waitWindowNamed("uContact — Iniciar sesión")
	d.waitWindow()
	d.screenshot("1-recovered-window")
}

// A session left open by a resident that was killed, whose logout the
// server does not confirm at the next start: the window opens on the
// pending logout.
func TestRecoveredSessionPendingOpensTheWindow(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	res, _ := d.startLoggedIn("user")
	res.Kill()

	d.srv.Inject(ucontact.PathEndSession, fakeStatus(503, 1))
	d.start()
	d.waitWindowNamed("uContact — Sesión")
	d.waitWindow()
	d.screenshot("1-recovered-pending-window")
	// The automatic retry ends it.
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if err := d.srv.Await(ctx, func() bool { return len(d.srv.OpenSessions()) == 0 }); err != nil {
		t.Fatal("the pending logout was not retried")
	}
}

// A logout that cannot reach the server is kept, retried, and the user is
// told both that it is pending and that it completed.
func TestPendingLogoutIsNotifiedAndRetried(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	res, item := d.startLoggedIn("user")
	d.srv.Inject(ucontact.PathEndSession, fakeStatus(503, 1))
	if err := item.Click("Finalizar Sesión"); err != nil {
		t.Fatal(err)
	}
	waitTitle(t, item, "Cierre pendiente")
	// Why, as a line of the menu: many panels show no tooltip.
	waitMenu(t, item, "Cierre pendiente: "+user+" @ "+d.addr,
		"El servidor "+d.addr+" respondió con un error (HTTP 503). Inténtelo de nuevo más tarde.",
		"Abrir…", "Cierre de sesión pendiente — reintentar", "Salir")
	d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool { return n.Summary == "Cierre de sesión pendiente" })
	// The first automatic retry comes about 5 s later and succeeds.
	waitTitle(t, item, "Sin sesión")
	d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool { return n.Summary == "Sesión finalizada" })
	d.assertEndedOnce()
	if !res.Running() {
		t.Fatal("resident gone")
	}
}

// windows lists the titles of the app's visible windows.
func (d *desk) windows() []string {
	d.t.Helper()
	xdotool := testenv.Require(d.t, "xdotool", "xdotool")
	// The pattern is ASCII: xdotool's regular expressions miss UTF-8 titles
	// such as "uContact — Sesión".
	cmd := exec.Command(xdotool, "search", "--onlyvisible", "--name", "^uContact")
	cmd.Env = append(os.Environ(), "DISPLAY="+d.Display)
	r := testenv.Run(d.t, 0, cmd, "") // exits 1 when none matches
	var titles []string
	for _, id := range strings.Fields(r.Stdout) {
		titles = append(titles, strings.TrimSpace(testenv.XDoTool(d.t, d.Display, "getwindowname", id)))
	}
	return titles
}

// waitWindowNamed waits for a visible window of the app titled title: a
// window opens with the login's title, and takes the session's once the
// tray app has told it the state.
func (d *desk) waitWindowNamed(title string) {
	d.t.Helper()
	var titles []string
	testenv.WaitFor(d.t, startTimeout, fmt.Sprintf("a window titled %q", title), func() bool {
		titles = d.windows()
		return slices.Contains(titles, title)
	})
}

// assertNoGL checks that the resident has not loaded an OpenGL driver: it
// never starts Fyne, whose render loop would cost an agent's desk all day.
func assertNoGL(t *testing.T, pid int) {
	t.Helper()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(maps), "\n") {
		if strings.Contains(line, "_dri.so") || strings.Contains(line, "libGLX_") {
			t.Errorf("the resident mapped a GL driver: %s", line)
		}
	}
}

// An installation without the window program: the tray says so when a
// window is wanted, and without a tray the app says so and exits, instead
// of running unseen.
func TestMissingWindowProgram(t *testing.T) {
	alone := func(d *desk) {
		d.bin = filepath.Join(t.TempDir(), "ucontact-tray")
		b, err := os.ReadFile(binary)
		if err == nil {
			err = os.WriteFile(d.bin, b, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("tray", func(t *testing.T) {
		d := newDesk(t, deskOptions{display: true, tray: true})
		d.wantLog = []string{`msg="tray app started"`, `level=ERROR msg="starting the window"`}
		alone(d)
		res := d.start()
		d.Notes.Wait(t, stepTimeout, func(n testenv.Notification) bool {
			return n.Summary == "No se pudo abrir la ventana" && strings.Contains(n.Body, "ucontact-tray-window")
		})
		d.trayOf("Sin sesión")
		if !res.Running() {
			t.Fatalf("resident gone:\n%s", res.Output())
		}
	})
	t.Run("no tray", func(t *testing.T) {
		d := newDesk(t, deskOptions{display: true})
		d.wantLog = []string{`msg="tray app started"`}
		alone(d)
		res := d.start()
		if code := res.Exited(stepTimeout); code != 1 {
			t.Fatalf("exit %d:\n%s", code, res.Output())
		}
		if !strings.Contains(res.Output(), "No se pudo abrir la ventana de ucontact-tray ("+filepath.Dir(d.bin)) {
			t.Fatalf("no clear message:\n%s", res.Output())
		}
	})
}

// An agent takes a break from the tray (Pausa → Almuerzo, the motives of
// the administrator's presets), and comes back from it, in a real tray
// host: the server sees both, the icon and the title follow.
func TestTrayBreaks(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true})
	d.writePresets("break_motives = Almuerzo, Baño, Capacitación\n")
	regs := testenv.FollowRegistrations(t, d.Bus)
	host := testenv.StartHost(t, d.Bus, d.Display)
	item, p := d.agentInTheTray(regs)
	loggedIn := pixmapOf(p)
	d.assertOneIcon(host)

	// The submenu as the host draws it. Before the test reads the menu
	// itself: systray answers the first GetLayout one level deep, as
	// libdbusmenu-gtk3 needs to show a submenu, and the host, like a
	// panel on a desk, must be the one asking first.
	d.openSubmenu("1-pausa-submenu")

	waitMenu(t, item, p.Title, "Pausa", "Finalizar Sesión", "Abrir…", "Salir")
	root, err := item.Layout()
	pausa, _ := root.Find("Pausa")
	if got := pausa.VisibleLabels(); err != nil || !slices.Equal(got, []string{"Almuerzo", "Baño", "Capacitación"}) {
		t.Fatalf("the Pausa submenu lists %q (%v)", got, err)
	}

	if err := item.Click("Almuerzo"); err != nil {
		t.Fatal(err)
	}
	p = waitTitle(t, item, "En pausa: Almuerzo · desde ")
	if motive, _, ok := d.srv.Break(user); !ok || motive != "Almuerzo" {
		t.Fatalf("on the server: break %q (%v), want Almuerzo", motive, ok)
	}
	if pixmapOf(p) == loggedIn {
		t.Error("the icon did not change for the break")
	}
	if tip := p.ToolTip.Title + "\n" + p.ToolTip.Text; !strings.HasPrefix(tip, p.Title+"\nConectado: "+user+" @ "+d.addr) {
		t.Errorf("tooltip %q: want the break, then who is logged in", tip)
	}
	back := "Volver de la pausa (Almuerzo ·" + strings.TrimPrefix(p.Title, "En pausa: Almuerzo ·") + ")"
	waitMenu(t, item, p.Title, back, "Finalizar Sesión", "Abrir…", "Salir")
	d.screenshot("2-on-a-break")
	d.openMenu()
	d.screenshot("3-menu-on-a-break")
	d.key("Escape")

	if err := item.Click(back); err != nil {
		t.Fatal(err)
	}
	p = waitTitle(t, item, "Conectado: "+user)
	if _, _, ok := d.srv.Break(user); ok {
		t.Fatal("still on a break on the server")
	}
	if n := len(d.srv.RequestsTo(ucontact.PathAgentUnBreak)); n != 1 {
		t.Errorf("%d AgentUnBreak calls, want 1", n)
	}
	if pixmapOf(p) != loggedIn {
		t.Error("the icon of a break stayed after it")
	}
	waitMenu(t, item, p.Title, "Pausa", "Finalizar Sesión", "Abrir…", "Salir")
	// Hidden and shown again, the submenu still has its entries.
	d.openSubmenu("4-pausa-submenu-again")

	// A panel started after the app (one that restarted) draws the
	// submenu with its entries too.
	host.Kill()
	host = testenv.StartHost(t, d.Bus, d.Display)
	item = waitRegistered(t, regs, host)
	waitTitle(t, item, "Conectado: "+user)
	d.assertOneIcon(host)
	d.openSubmenu("5-pausa-submenu-in-a-new-panel")
}

// agentInTheTray logs an agent in with the command line (on its own: no
// window at start), starts the tray app, and returns its item, as regs
// saw it registered, once it shows the agent connected.
func (d *desk) agentInTheTray(regs *testenv.Registrations) (*testenv.Item, testenv.ItemProps) {
	d.t.Helper()
	if r := d.login("agent"); r.code != 0 {
		d.t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	appStarted := time.Now()
	d.start()
	item := regs.Wait(d.t, appStarted, startTimeout).Item(regs.Conn)
	return item, waitTitle(d.t, item, "Conectado: "+user)
}

// openMenu opens the tray's menu in the host as a user does, with a right
// click on the icon (the first in the bar along the bottom of the screen),
// and waits until it is drawn.
func (d *desk) openMenu() {
	d.t.Helper()
	d.waitIcon()
	probe := filepath.Join(d.t.TempDir(), "probe.png")
	testenv.XDoTool(d.t, d.Display, "mousemove", "15", "785", "click", "3")
	testenv.WaitFor(d.t, stepTimeout, "the host to draw the menu", func() bool {
		return testenv.NonBackground(testenv.Screenshot(d.t, d.Display, probe), image.Rect(0, 500, 400, 770)) > 5000
	})
}

// waitIcon waits until the host has drawn an icon, the first in the bar
// along the bottom of the screen.
func (d *desk) waitIcon() {
	d.t.Helper()
	probe := filepath.Join(d.t.TempDir(), "probe.png")
	testenv.WaitFor(d.t, stepTimeout, "the host to draw the icon", func() bool {
		return testenv.NonBackground(testenv.Screenshot(d.t, d.Display, probe), image.Rect(0, 770, 30, 800)) > 300
	})
}

// assertOneIcon fails unless host, once it has drawn the app's icon, shows
// it once: a second icon would be a second menu, as the host keeps one
// for each.
func (d *desk) assertOneIcon(host *testenv.Host) {
	d.t.Helper()
	d.waitIcon()
	if n := host.Icons(); n != 1 {
		d.t.Errorf("the panel shows %d icons for the app, want 1", n)
	}
}

// openSubmenu opens the tray's menu in the host, then the submenu of its
// first entry below the status line, with the keyboard, waits until it
// is drawn, saves a screenshot as name, and closes both.
func (d *desk) openSubmenu(name string) {
	d.t.Helper()
	d.openMenu()
	d.key("Down") // the status line cannot be chosen
	d.key("Right")
	probe := filepath.Join(d.t.TempDir(), "probe.png")
	testenv.WaitFor(d.t, stepTimeout, "the host to draw the submenu", func() bool {
		return testenv.NonBackground(testenv.Screenshot(d.t, d.Display, probe), image.Rect(400, 500, 1280, 770)) > 2000
	})
	d.screenshot(name)
	d.key("Escape")
	d.key("Escape")
}
