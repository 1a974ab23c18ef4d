//go:build bench

package bench

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// measureStarts: process start → tray item registered, the resident (in a
// fresh home, logged out, as at the start of a shift) against the systray
// floor, one program at a time so neither slows the other.
func measureStarts(b *bed, app binaries, fl floors) [][]string {
	var res, flo []time.Duration
	for range startRuns {
		p := b.start(app.resident)
		_, d := b.waitItem(p)
		p.Stop(stepTimeout)
		res = append(res, d)

		p = b.start(fl.systray)
		_, d = b.waitItem(p)
		p.Stop(stepTimeout)
		flo = append(flo, d)
	}
	return [][]string{row("start → tray registered (ms)", spread(res), spread(flo),
		ratio(float64(median(res)), float64(median(flo))), fmt.Sprintf("≤%.1f×", maxStartRatio),
		float64(median(res)) <= maxStartRatio*float64(median(flo)))}
}

// measureWindowStarts: process start → first frame on screen, the login
// window (its resident running, as when the tray opens it) against the
// Fyne floor.
func measureWindowStarts(b *bed, app binaries, fl floors) [][]string {
	res := b.startResident(app)
	defer res.Stop(stepTimeout)
	var win, flo []time.Duration
	for range startRuns {
		win = append(win, b.timeFirstFrame(res.Env(), app.window))
		flo = append(flo, b.timeFirstFrame(res.Env(), fl.fyne))
	}
	return [][]string{row("window start → first frame (ms)", spread(win), spread(flo),
		ratio(float64(median(win)), float64(median(flo))), fmt.Sprintf("≤%.1f×", maxWindowRatio),
		float64(median(win)) <= maxWindowRatio*float64(median(flo)))}
}

// pointerPixels bounds what the screen shows with no window: Xvfb draws
// the pointer into its framebuffer (60 pixels here).
const pointerPixels = 1000

// timeFirstFrame starts the program at path on an empty screen and returns
// the time until its window shows text, then closes it.
func (b *bed) timeFirstFrame(env []string, path string) time.Duration {
	b.t.Helper()
	p := b.startIn(env, path)
	var took time.Duration
	for {
		// A mapped window not yet painted shows the black root; a frame
		// with text has its background and the text's anti-aliased shades.
		pixels, colours, err := b.FB.Drawn()
		if err != nil {
			b.t.Fatal(err)
		}
		if pixels > 2000 && colours >= 16 {
			took = time.Since(p.Started)
			break
		}
		if !p.Running() || time.Since(p.Started) > startTimeout {
			b.t.Fatalf("%s drew nothing (%d pixels, %d colours):\n%s", p.Name, pixels, colours, p.Output())
		}
		time.Sleep(time.Millisecond)
	}
	p.Kill()
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if pixels, _, err := b.FB.Drawn(); err == nil && pixels < pointerPixels {
			return took
		}
		if time.Since(start) > stepTimeout {
			b.t.Fatalf("%s's window still on screen after it was killed", p.Name)
		}
	}
}

// measureLogins: a login from the window's submit to the logged-in answer,
// less the server's own time, with the peak of the resident's private
// memory while it logs in. The floor is what a login must add to the
// server's time: storing the token, a bare go-keyring Set of a secret of
// the token's size on the same keyring.
func measureLogins(b *bed, app binaries) [][]string {
	res := b.startResident(app)
	defer res.Stop(stepTimeout)
	server := b.plain.URL()
	// The first login makes the keyring's collection and connects: an
	// agent's first login of the day, not the common case measured here.
	res.login(server)
	res.logout()
	tokens := b.plain.Tokens()
	floor := newKeyringFloor(b, len(tokens[len(tokens)-1]))
	floor.set() // the first one connects, as the app's first login did
	var extra, sets []time.Duration
	peak := 0
	for range latencyRuns {
		// An agent's logins are hours apart: each starts from a resident
		// that has handed the last one's memory back (a second after it).
		time.Sleep(loginsApart)
		from := len(b.plain.Requests())
		stop := sampleAnonymous(res.PID(), &peak)
		took := res.login(server)
		stop()
		extra = append(extra, took-serverTime(b.plain.Requests()[from:]))
		res.logout()
		sets = append(sets, floor.set())
	}
	took, flo := median(extra), median(sets)
	return [][]string{
		row("login: submit → logged in, less server time (ms)", spread(extra), spread(sets),
			"+"+ms(took-flo), fmt.Sprintf("≤ server + keyring +%d ms", maxLoginExtra.Milliseconds()),
			took <= flo+maxLoginExtra),
		row("peak Anonymous during a login (kB)", itoa(peak), "", "", "", false),
	}
}

// keyringFloor stores a secret the size of a session token in the bench's
// keyring with a bare go-keyring Set, as the app stores its token at a
// login: the least a login that keeps its token in the keyring takes.
type keyringFloor struct {
	t      *testing.T
	secret string
}

// floorService is the keyring service the floor's secret is stored under,
// apart from the app's.
const floorService = "ucontact-tray-bench-floor"

func newKeyringFloor(b *bed, size int) *keyringFloor {
	// go-keyring speaks to the session bus of this process's environment.
	b.t.Setenv("DBUS_SESSION_BUS_ADDRESS", b.Bus)
	b.t.Cleanup(func() { keyring.Delete(floorService, user) }) //nolint:errcheck // the keyring goes with the bench
	return &keyringFloor{t: b.t, secret: strings.Repeat("t", size)}
}

// set stores the secret, replacing the last one, and returns how long
// that took.
func (f *keyringFloor) set() time.Duration {
	f.t.Helper()
	began := time.Now()
	if err := keyring.Set(floorService, user, f.secret); err != nil {
		f.t.Fatalf("floor keyring Set: %v", err)
	}
	return time.Since(began)
}

// serverTime is how long the server spent on reqs.
func serverTime(reqs []fake.Request) time.Duration {
	var d time.Duration
	for _, r := range reqs {
		d += r.Answered.Sub(r.At)
	}
	return d
}

// sampleAnonymous samples the private memory of pid every millisecond into
// *peak until the returned function is called.
func sampleAnonymous(pid int, peak *int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if m, err := readMemory(pid); err == nil {
				*peak = max(*peak, m.anon)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// measureShutdowns: the OS announces a shutdown (PrepareForShutdown from
// the fake logind) to a resident logged in through its window; measured
// are the time to the end-of-session request at the server, from the
// answer to the inhibitor's release, and whether a new connection was
// needed, for a server answering at once or 50 ms later, over plain HTTP
// and over TLS (trusted through --ca-file).
func measureShutdowns(b *bed, app binaries) [][]string {
	cases := []struct {
		name    string
		srv     *fake.Server
		latency time.Duration
	}{
		{"http, at once", b.plain, 0},
		{"http, +50 ms", b.plain, 50 * time.Millisecond},
		{"TLS, at once", b.tls, 0},
		{"TLS, +50 ms", b.tls, 50 * time.Millisecond},
	}
	var rows [][]string
	newConns := 0
	for _, c := range cases {
		var toWire, toRelease []time.Duration
		for range latencyRuns {
			res := b.startResident(app, "--ca-file", b.ca.File)
			res.login(c.srv.URL())
			b.Logind.WaitHeld(b.t, "shutdown", 1, stepTimeout)
			conns := c.srv.Connections()
			ends := len(c.srv.RequestsTo(ucontact.PathEndSession))
			if c.latency > 0 {
				c.srv.Inject(ucontact.PathEndSession, fake.Fault{Latency: c.latency, Times: 1})
			}
			sent, err := b.Logind.PrepareForShutdown(true)
			if err != nil {
				b.t.Fatal(err)
			}
			released, err := b.Logind.WaitReleased("shutdown", logindDelay+time.Second)
			if err != nil {
				b.t.Fatalf("%s: %v\n%s", c.name, err, res.Output())
			}
			res.Exited(stepTimeout)
			all := c.srv.RequestsTo(ucontact.PathEndSession)
			if len(all) != ends+1 {
				b.t.Fatalf("%s: %d ends of session, want 1\n%s", c.name, len(all)-ends, res.Output())
			}
			end := all[len(all)-1]
			toWire = append(toWire, end.At.Sub(sent))
			toRelease = append(toRelease, released.Sub(end.Answered))
			newConns += c.srv.Connections() - conns
		}
		rtt := warmRoundTrip(b, c.srv, ucontact.PathEndSession)
		rows = append(rows,
			row("shutdown → end on the wire, "+c.name+" (ms)", spread(toWire), ms(rtt), "+"+ms(median(toWire)-rtt),
				fmt.Sprintf("≤ RTT +%d ms", maxWireExtra.Milliseconds()), median(toWire) <= rtt+maxWireExtra),
			row("answer → inhibitor released, "+c.name+" (ms)", spread(toRelease), "", "",
				fmt.Sprintf("≤%d ms", maxRelease.Milliseconds()), median(toRelease) <= maxRelease))
	}
	rows = append(rows, row(fmt.Sprintf("new connections at %d shutdowns", len(cases)*latencyRuns),
		itoa(newConns), "", "", "0", newConns == 0))
	return rows
}

// warmRoundTrip is the median time of one call to path on srv from a Go
// client whose connection is already open: the least any client can take.
func warmRoundTrip(b *bed, srv *fake.Server, path string) time.Duration {
	b.t.Helper()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: b.ca.Pool()}
	client := &http.Client{Transport: transport}
	defer transport.CloseIdleConnections()
	var rtts []time.Duration
	for i := range rttRuns + 1 {
		began := time.Now()
		// The same shape of call as the app's: the answer does not matter.
		resp, err := client.PostForm(srv.URL()+path, url.Values{"user": {user}, "password": {password}})
		if err != nil {
			b.t.Fatalf("floor round trip to %s: %v", path, err)
		}
		resp.Body.Close()
		if i > 0 { // the first one opens the connection
			rtts = append(rtts, time.Since(began))
		}
	}
	return median(rtts)
}

// measureIdle: the resident logged in, its window closed, beside the floor:
// private memory after settling, then CPU time and wake-ups over a minute.
//
// Beside them, over the same minute, a resident with logout_when_idle_after
// at its least (1m) while the user works: a fake GNOME idle monitor on the
// bus has input every 5 s, and counts how often the resident asks it. The
// screen-lock watcher is on in both: it always is.
func measureIdle(b *bed, app binaries, fl floors) [][]string {
	t := b.t
	res := b.startResident(app)
	res.login(b.plain.URL())
	monitor := testenv.StartFakeIdleMonitor(t, b.Bus)
	working := make(chan struct{})
	defer close(working)
	go func() {
		for {
			monitor.Input()
			select {
			case <-working:
				return
			case <-time.After(5 * time.Second):
			}
		}
	}()
	home := testenv.NewHome(t)
	writeSettings(t, home, `{"logout_when_idle_after": "1m"}`)
	idl := b.startResidentIn(home, app)
	idl.login(b.plain.URL())
	flo := b.start(fl.systray)
	b.waitItem(flo)
	time.Sleep(settleTime)
	resMem, floMem := must(t, res, readMemory), must(t, flo, readMemory)
	resBefore, floBefore, idlBefore := must(t, res, readUsage), must(t, flo, readUsage), must(t, idl, readUsage)
	readsBefore := monitor.Calls()
	time.Sleep(idleWindow)
	resIdle := must(t, res, readUsage).minus(resBefore)
	floIdle := must(t, flo, readUsage).minus(floBefore)
	idlIdle := must(t, idl, readUsage).minus(idlBefore)
	reads := monitor.Calls() - readsBefore
	resGL, floGL := must(t, res, glMapped), must(t, flo, glMapped)
	for _, p := range []*proc{res, flo, idl} {
		if !p.Running() {
			t.Fatalf("%s ended during the idle window:\n%s", p.Name, p.Output())
		}
	}
	return [][]string{
		row("Anonymous 10 s after login (kB)", itoa(resMem.anon), itoa(floMem.anon),
			ratio(float64(resMem.anon), float64(floMem.anon)), fmt.Sprintf("≤%.1f×", maxMemRatio),
			float64(resMem.anon) <= maxMemRatio*float64(floMem.anon)),
		row("Pss 10 s after login (kB)", itoa(resMem.pss), itoa(floMem.pss),
			ratio(float64(resMem.pss), float64(floMem.pss)), "", false),
		row("CPU over 60 s idle (ms)", ms(resIdle.cpu), ms(floIdle.cpu), "",
			fmt.Sprintf("≤%d ms", maxIdleCPU.Milliseconds()), resIdle.cpu <= maxIdleCPU),
		row("wake-ups over 60 s idle", itoa(resIdle.wakeups), itoa(floIdle.wakeups),
			ratio(float64(resIdle.wakeups), float64(floIdle.wakeups)), "≤ floor", resIdle.wakeups <= floIdle.wakeups),
		row("CPU over 60 s idle, idle logout on (ms)", ms(idlIdle.cpu), ms(floIdle.cpu), "",
			fmt.Sprintf("≤%d ms", maxIdleCPU.Milliseconds()), idlIdle.cpu <= maxIdleCPU),
		row("wake-ups over 60 s idle, idle logout on", itoa(idlIdle.wakeups), itoa(floIdle.wakeups),
			ratio(float64(idlIdle.wakeups), float64(floIdle.wakeups)), "", false),
		row("idle-time reads over 60 s, user working", itoa(reads), "", "", "≤2", reads <= 2),
		row("GL driver mapped", yesNo(resGL), yesNo(floGL), "", "no", !resGL),
	}
}

// writeSettings writes the app's settings file in home.
func writeSettings(t *testing.T, home testenv.Home, text string) {
	t.Helper()
	dir := filepath.Join(home.Dir, ".config", "ucontact-tray")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// measureSizes: the stripped programs, beside the floor of each kind.
func measureSizes(t *testing.T, app binaries, fl floors) [][]string {
	size := func(path string) string {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatalf("size of %s: %v", path, err)
		}
		return fmt.Sprintf("%.1f", float64(fi.Size())/(1<<20))
	}
	windowExe := "not built: make windows"
	if _, err := os.Stat(app.windowExe); err == nil {
		windowExe = size(app.windowExe)
	}
	return [][]string{
		row("size: resident, Linux (MB)", size(app.resident), size(fl.systray), "", "", false),
		row("size: window, Linux (MB)", size(app.window), size(fl.fyne), "", "", false),
		row("size: resident, Windows (MB)", size(app.residentExe), "", "", "", false),
		row("size: window, Windows (MB)", windowExe, "", "", "", false),
	}
}

// row is one line of the table; a verdict is printed only with a target.
func row(measure, app, floor, vs, target string, ok bool) []string {
	v := ""
	if target != "" {
		v = verdict(ok)
	}
	return []string{measure, app, floor, vs, target, v}
}
