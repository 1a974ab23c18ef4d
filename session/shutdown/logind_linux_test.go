package shutdown

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"ucontact-tray/internal/testenv"
)

func watchWithFakeLogind(t *testing.T, delay time.Duration) (*Watcher, *testenv.FakeLogind) {
	t.Helper()
	system := testenv.StartBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", system)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") // no session bus to lose
	logind := testenv.StartFakeLogind(t, system, delay)
	log := &testenv.Buffer{}
	w := Watch(context.Background(), slog.New(slog.NewTextHandler(log, nil)))
	t.Cleanup(w.Close)
	// Subscribed before anything is announced, as an app started at login
	// is long before a shutdown.
	testenv.WaitFor(t, wait, "logind to be watched", func() bool {
		return strings.Contains(log.String(), "logind: watching")
	})
	return w, logind
}

func TestLogindDelayLocksFollowTheSession(t *testing.T) {
	w, logind := watchWithFakeLogind(t, 2*time.Second)
	w.Hold(true)
	logind.WaitHeld(t, "shutdown", 1, wait)
	logind.WaitHeld(t, "sleep", 1, wait)
	for _, l := range logind.Locks() {
		if l.Mode != "delay" || l.Who != "ucontact-tray" || l.Why == "" {
			t.Errorf("lock %+v", l)
		}
	}

	sent, err := logind.PrepareForShutdown(true)
	if err != nil {
		t.Fatal(err)
	}
	n := next(t, w)
	if n.Kind != SessionEnding || n.Source != "logind" {
		t.Fatalf("notice %+v", n)
	}
	// Three quarters of logind's 2 s, not the default 3 s.
	if d := n.Deadline.Sub(sent); d < 1400*time.Millisecond || d > 1600*time.Millisecond {
		t.Errorf("deadline %v after the signal, want about 1.5 s", d)
	}
	time.Sleep(50 * time.Millisecond)
	if logind.Held("shutdown") != 1 {
		t.Fatal("the lock was let go before Done")
	}
	n.Done()
	n.Done() // twice is harmless
	if _, err := logind.WaitReleased("shutdown", wait); err != nil {
		t.Fatal(err)
	}

	// A cancelled shutdown: the lock is taken again.
	if _, err := logind.PrepareForShutdown(false); err != nil {
		t.Fatal(err)
	}
	logind.WaitHeld(t, "shutdown", 1, wait)

	if _, err := logind.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if n := next(t, w); n.Kind != Suspending {
		t.Fatalf("notice %+v", n)
	} else {
		n.Done()
	}
	logind.WaitHeld(t, "sleep", 0, wait)
	if _, err := logind.PrepareForSleep(false); err != nil {
		t.Fatal(err)
	}
	if n := next(t, w); n.Kind != Resumed || !n.Deadline.IsZero() {
		t.Fatalf("notice %+v", n)
	}
	logind.WaitHeld(t, "sleep", 1, wait)

	// Logged out: nothing holds the machine back any more.
	w.Hold(false)
	logind.WaitHeld(t, "shutdown", 0, wait)
	logind.WaitHeld(t, "sleep", 0, wait)
}

// An idle app never delays a shutdown, but still hears of it (to quit).
func TestNoLocksWithoutASession(t *testing.T) {
	w, logind := watchWithFakeLogind(t, 5*time.Second)
	if _, err := logind.PrepareForShutdown(true); err != nil {
		t.Fatal(err)
	}
	n := next(t, w)
	if n.Kind != SessionEnding {
		t.Fatalf("notice %+v", n)
	}
	if d := time.Until(n.Deadline); d > DefaultDeadline || d < DefaultDeadline-time.Second {
		t.Errorf("deadline in %v, want the default %v (logind allows 5 s)", d, DefaultDeadline)
	}
	n.Done()
	if locks := logind.Locks(); len(locks) != 0 {
		t.Errorf("locks taken with no session: %+v", locks)
	}
}

func TestSignalsEndTheSession(t *testing.T) {
	w, _ := watchWithFakeLogind(t, time.Second)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	var n Notice
	for n = next(t, w); n.Source != "hangup"; n = next(t, w) {
	}
	if n.Kind != SessionEnding || n.Deadline.IsZero() {
		t.Fatalf("notice %+v", n)
	}
}

// A PrepareFor… signal whose body is not one boolean is ignored: read as
// false, it would pass for a wake-up (or a cancelled shutdown).
func TestMalformedLogindSignalIsIgnored(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	l := &logind{log: log, locks: map[string]*os.File{}}
	w := &Watcher{log: log, notices: make(chan Notice, 1)}
	for _, body := range [][]any{{"false"}, {}, {true, true}, {uint32(0)}} {
		for _, member := range []string{"PrepareForSleep", "PrepareForShutdown"} {
			l.handle(context.Background(), w, &dbus.Signal{Name: logindIface + "." + member, Body: body})
			if len(w.notices) != 0 {
				t.Fatalf("%s with body %v gave the notice %v", member, body, (<-w.notices).Kind)
			}
		}
	}
}

// runLogind follows logind as Watch does, looking again for an absent one
// every millisecond, and returns its log.
func runLogind(t *testing.T) *testenv.Buffer {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	log := &testenv.Buffer{}
	l := &logind{log: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		locks: map[string]*os.File{}, absentRetry: time.Millisecond,
		sockets: []string{filepath.Join(t.TempDir(), "no-system-bus")}}
	w := &Watcher{log: l.log, notices: make(chan Notice)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.run(ctx, w)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return log
}

// Where there is no logind (no system bus, or none on it with its name),
// that is said once, at info, and looked for again quietly.
func TestAbsentLogindIsSaidOnce(t *testing.T) {
	for _, tc := range []struct{ name, bus string }{
		{"no system bus", "unix:path=" + filepath.Join(t.TempDir(), "no-bus")},
		{"no system bus address nor socket", "none"},
		{"no logind on the bus", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch bus := tc.bus; bus {
			case "":
				t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", testenv.StartBus(t))
			case "none":
				t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "")
			default:
				t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", bus)
			}
			log := runLogind(t)
			testenv.WaitFor(t, wait, "logind to be looked for three more times", func() bool {
				return strings.Count(log.String(), "logind: still not running") >= 3
			})
			text := log.String()
			if n := strings.Count(text, `level=INFO msg="logind: not running;`); n != 1 {
				t.Errorf("said %d times at info that logind is not running, want once:\n%s", n, text)
			}
			if strings.Contains(text, "level=WARN") {
				t.Errorf("a warning:\n%s", text)
			}
		})
	}
}

// A system bus that is there but fails (here, one that hangs up at once)
// is a real failure: warned of.
func TestBrokenSystemBusIsWarnedOf(t *testing.T) {
	path := filepath.Join(testenv.TempDir(t), "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+path)
	log := runLogind(t)
	testenv.WaitFor(t, wait, "a warning that logind is not reachable", func() bool {
		return strings.Contains(log.String(), `level=WARN msg="logind: not reachable; trying again"`)
	})
	if strings.Contains(log.String(), "logind: not running") {
		t.Errorf("a broken bus taken for an absent logind:\n%s", log.String())
	}
}
