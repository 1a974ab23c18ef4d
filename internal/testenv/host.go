package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Host is a real status-notifier host, the panel side of the tray: Debian's
// gtk-sni-tray-standalone, with the watcher it starts when there is none.
// Killing it takes its watcher away too, as a crashing panel does. Its log,
// at INFO, says each icon it adds to its bar (see Icons).
type Host struct {
	t       testing.TB
	cmd     *exec.Cmd
	out     *Buffer
	done    chan struct{}
	Started time.Time // just before the program was started
}

// StartHost starts a host (and its watcher) on the bus at busAddr, showing
// its bar on display, returns once the host has registered with its
// watcher, and stops it when the test ends if it still runs.
//
// gtk-sni-tray-standalone races with itself at its start: its host may
// call its watcher before the watcher serves its object, and then exits
// ("Pattern match failure"). That exit, before the host registered, is the
// program's, not the app's: it is started again, up to three times.
func StartHost(t testing.TB, busAddr, display string) *Host {
	t.Helper()
	prog := Require(t, "gtk-sni-tray-standalone", "haskell-gtk-sni-tray-utils")
	conn := ConnectBus(t, busAddr)
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(watcherIface), dbus.WithMatchMember("StatusNotifierHostRegistered")); err != nil {
		t.Fatalf("following %s: %v", watcherName, err)
	}
	registered := make(chan *dbus.Signal, 16)
	conn.Signal(registered)
	var out strings.Builder
	for attempt := 1; ; attempt++ {
		h := startHost(t, prog, busAddr, display)
		select {
		case <-registered:
			return h
		case <-h.done:
			out.WriteString(h.out.String())
			if attempt == 3 {
				t.Fatalf("the tray host ended at its start three times:\n%s", out.String())
			}
		case <-time.After(CommandTimeout):
			t.Fatalf("the tray host did not register with its watcher in %v:\n%s", CommandTimeout, h.out.String())
		}
	}
}

func startHost(t testing.TB, prog, busAddr, display string) *Host {
	t.Helper()
	h := &Host{t: t, out: &Buffer{}, done: make(chan struct{})}
	h.cmd = exec.Command(prog, "--watcher", "--bottom", "--log-level", "INFO")
	h.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"DBUS_SESSION_BUS_ADDRESS=" + busAddr,
		"DISPLAY=" + display,
		"NO_AT_BRIDGE=1",
		RunMark(),
	}
	h.cmd.Stdout, h.cmd.Stderr = h.out, h.out
	h.Started = time.Now()
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", prog, err)
	}
	go func() {
		h.cmd.Wait() //nolint:errcheck // killed, most often
		close(h.done)
	}()
	t.Cleanup(func() {
		h.Kill()
		if t.Failed() {
			t.Logf("the tray host said:\n%s", h.out.String())
		}
	})
	return h
}

// Icons is how many icons the host has added to its bar since it started.
// An item it is told of twice gets two: a bug of the host that an item
// registered while the host starts can set off.
func (h *Host) Icons() int { return strings.Count(h.out.String(), "Adding widget for ") }

// Kill kills the host, as a panel crashes, and waits for it to be gone.
func (h *Host) Kill() {
	select {
	case <-h.done:
		return
	default:
	}
	h.cmd.Process.Kill() //nolint:errcheck // it may just have ended
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		h.t.Fatalf("the tray host (pid %d) still runs 10 s after SIGKILL", h.cmd.Process.Pid)
	}
}

// Registration is an item a watcher announced with
// StatusNotifierItemRegistered.
type Registration struct {
	Service string    // as the watcher lists it: "busname/path", or a bus name
	At      time.Time // when the test received the signal
}

// Item is a client for the registered item, on conn.
func (r Registration) Item(conn *dbus.Conn) *Item {
	it := &Item{Conn: conn, Dest: r.Service, Path: itemPath}
	if i := strings.IndexByte(r.Service, '/'); i > 0 {
		it.Dest, it.Path = r.Service[:i], dbus.ObjectPath(r.Service[i:])
	}
	return it
}

// Registrations follows, on a connection of its own, the items that any
// watcher on a bus announces: a test waits on the signals, not on a poll.
type Registrations struct {
	Conn *dbus.Conn

	mu      sync.Mutex
	seen    []Registration
	changed chan struct{} // closed, and replaced, on each registration
}

// FollowRegistrations starts following the registrations on the bus at
// busAddr, until the test ends.
func FollowRegistrations(t testing.TB, busAddr string) *Registrations {
	t.Helper()
	conn := ConnectBus(t, busAddr)
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(watcherIface), dbus.WithMatchMember("StatusNotifierItemRegistered")); err != nil {
		t.Fatalf("following %s: %v", watcherName, err)
	}
	r := &Registrations{Conn: conn, changed: make(chan struct{})}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go func() {
		for sig := range signals { // closed with the connection
			service, ok := "", len(sig.Body) == 1
			if ok {
				service, ok = sig.Body[0].(string)
			}
			if !ok || sig.Name != watcherIface+".StatusNotifierItemRegistered" {
				continue
			}
			r.mu.Lock()
			r.seen = append(r.seen, Registration{Service: service, At: time.Now()})
			close(r.changed)
			r.changed = make(chan struct{})
			r.mu.Unlock()
		}
	}()
	return r
}

// Wait returns the first registration received at or after since, waiting
// up to timeout for it.
func (r *Registrations) Wait(t testing.TB, since time.Time, timeout time.Duration) Registration {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for _, reg := range r.seen {
			if !reg.At.Before(since) {
				r.mu.Unlock()
				return reg
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("no StatusNotifierItemRegistered within %v of %s", timeout, since.Format("15:04:05.000"))
		}
	}
}

// Listed returns the items the watcher on the bus lists now.
func (r *Registrations) Listed() ([]string, error) {
	v, err := r.Conn.Object(watcherName, watcherPath).GetProperty(watcherIface + ".RegisteredStatusNotifierItems")
	if err != nil {
		return nil, fmt.Errorf("reading RegisteredStatusNotifierItems: %w", err)
	}
	var items []string
	if err := v.Store(&items); err != nil {
		return nil, fmt.Errorf("RegisteredStatusNotifierItems is %s: %w", v.Signature(), err)
	}
	return items, nil
}

// StartStandaloneWatcher starts a real status-notifier watcher apart from
// any panel on the bus at busAddr (Debian's status-notifier-watcher), as
// KDE keeps one, and returns once it serves its object. It runs until the
// test ends. A Host started after it uses it instead of starting its own.
func StartStandaloneWatcher(t testing.TB, busAddr string) {
	t.Helper()
	prog := Require(t, "status-notifier-watcher", "haskell-status-notifier-item-utils")
	cmd := exec.Command(prog)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"DBUS_SESSION_BUS_ADDRESS=" + busAddr,
		RunMark(),
	}
	out := &Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", prog, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // it may have ended
		cmd.Wait()         //nolint:errcheck // killed
		if t.Failed() {
			t.Logf("the watcher said:\n%s", out.String())
		}
	})
	// It takes its name before it serves its object, and nothing on the
	// bus says when it does: ask it.
	watcher := ConnectBus(t, busAddr).Object(watcherName, watcherPath)
	WaitFor(t, CommandTimeout, "the watcher to serve its object", func() bool {
		_, err := watcher.GetProperty(watcherIface + ".IsStatusNotifierHostRegistered")
		return err == nil
	})
}
