package shutdown

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"ucontact-tray/internal/testenv"
)

// screen is a watcher with every source of lock notices faked: logind's
// session on a private system bus, both screen savers on a private session
// bus.
type screen struct {
	w                  *Watcher
	log                *testenv.Buffer
	logind             *testenv.FakeLogind
	freedesktop, gnome *testenv.ScreenSaver
}

// watchScreen starts the fakes, locked or not, then the watcher.
func watchScreen(t *testing.T, locked bool) *screen {
	t.Helper()
	system, session := testenv.StartBus(t), testenv.StartBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", system)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", session)
	s := &screen{log: &testenv.Buffer{}, logind: testenv.StartFakeLogind(t, system, time.Second)}
	if err := s.logind.SetLockedHint(locked); err != nil {
		t.Fatal(err)
	}
	s.freedesktop = testenv.StartScreenSaver(t, session, testenv.FreedesktopScreenSaver, locked)
	s.gnome = testenv.StartScreenSaver(t, session, testenv.GNOMEScreenSaver, locked)
	s.w = Watch(context.Background(), slog.New(slog.NewTextHandler(s.log, nil)))
	t.Cleanup(s.w.Close)
	return s
}

// waitWatching waits until both buses are followed: from then on, every
// change is heard.
func (s *screen) waitWatching(t *testing.T) {
	t.Helper()
	testenv.WaitFor(t, wait, "both buses to be watched", func() bool {
		l := s.log.String()
		return strings.Contains(l, "logind: watching") && strings.Contains(l, "session bus: watching")
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLockedHintLocksAndUnlocks(t *testing.T) {
	s := watchScreen(t, false)
	s.waitWatching(t)
	if !strings.Contains(s.log.String(), `logind: following the session" session=`+string(testenv.FakeSessionPath)) {
		t.Errorf("the session followed is not the fake's:\n%s", s.log)
	}
	must(t, s.logind.SetLockedHint(true))
	expect(t, s.w, Locked, "LockedHint")
	must(t, s.logind.SetLockedHint(false))
	expect(t, s.w, Unlocked, "LockedHint")
	// Another property of the session says nothing of the lock.
	must(t, s.logind.EmitSessionChange("org.freedesktop.login1.Session", map[string]dbus.Variant{"IdleHint": dbus.MakeVariant(true)}, []string{}))
	must(t, s.logind.SetLockedHint(true))
	expect(t, s.w, Locked, "LockedHint")
}

// Each lock is told once, whichever sources tell of it and in whatever
// order; the first to tell of a change makes the notice. A source's own
// signals keep their order, so a notice from the same source after a
// repeated word proves the repeat made none.
func TestEveryLockIsToldOnce(t *testing.T) {
	s := watchScreen(t, false)
	s.waitWatching(t)
	const (
		fd    = testenv.FreedesktopScreenSaver
		gnome = testenv.GNOMEScreenSaver
	)

	must(t, s.freedesktop.SetActive(true))
	expect(t, s.w, Locked, fd)
	must(t, s.logind.SetLockedHint(true)) // the same lock
	must(t, s.logind.SetLockedHint(false))
	expect(t, s.w, Unlocked, "LockedHint")

	must(t, s.freedesktop.SetActive(false)) // the same unlock
	must(t, s.freedesktop.SetActive(true))
	expect(t, s.w, Locked, fd)

	must(t, s.gnome.SetActive(true)) // the same lock
	must(t, s.gnome.SetActive(false))
	expect(t, s.w, Unlocked, gnome)

	must(t, s.logind.SetLockedHint(false)) // the same unlock
	must(t, s.logind.SetLockedHint(true))
	expect(t, s.w, Locked, "LockedHint")
}

// An app started at a locked screen says so once, however many sources
// find it locked.
func TestStartingLockedIsToldOnce(t *testing.T) {
	s := watchScreen(t, true)
	n := next(t, s.w)
	if n.Kind != Locked {
		t.Fatalf("first notice %s from %s, want locked", n.Kind, n.Source)
	}
	// A second Locked would be waiting to be received, and its source
	// would not be watching yet.
	s.waitWatching(t)
	select {
	case n := <-s.w.Notices():
		t.Fatalf("a second notice: %s from %s", n.Kind, n.Source)
	default:
	}
	must(t, s.logind.SetLockedHint(false))
	expect(t, s.w, Unlocked, "LockedHint")
}

// Without logind (nor its session) and without a session bus, the app
// says so once, and carries on.
func TestLockWithoutLogindNorSessionBus(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", testenv.StartBus(t)) // nobody serves logind on it
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	log := &testenv.Buffer{}
	w := Watch(context.Background(), slog.New(slog.NewTextHandler(log, nil)))
	t.Cleanup(w.Close)
	testenv.WaitFor(t, wait, "both sources to have started", func() bool {
		return strings.Contains(log.String(), "logind: not running") && strings.Contains(log.String(), "session bus: none")
	})
	for _, said := range []string{"logind: not running", "session bus: none"} {
		if n := strings.Count(log.String(), said); n != 1 {
			t.Errorf("%q said %d times, want once:\n%s", said, n, log)
		}
	}
}

// A screen saver alone tells of locks: desktops whose locker leaves
// LockedHint alone.
func TestScreenSaverWithoutLogind(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", testenv.StartBus(t))
	session := testenv.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", session)
	saver := testenv.StartScreenSaver(t, session, testenv.GNOMEScreenSaver, false)
	log := &testenv.Buffer{}
	w := Watch(context.Background(), slog.New(slog.NewTextHandler(log, nil)))
	t.Cleanup(w.Close)
	testenv.WaitFor(t, wait, "the session bus to be watched", func() bool {
		return strings.Contains(log.String(), "session bus: watching")
	})
	must(t, saver.SetActive(true))
	expect(t, w, Locked, testenv.GNOMEScreenSaver)
	must(t, saver.SetActive(false))
	expect(t, w, Unlocked, testenv.GNOMEScreenSaver)
}

// A session change or an ActiveChanged whose body is not what logind or a
// screen saver sends is ignored, locked or not: read as false or true, it
// would pass for an unlock or a lock.
func TestMalformedLockSignalsAreIgnored(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	l := &logind{log: log, locks: map[string]*os.File{}}
	s := &sessionBus{log: log}
	const propsChanged = "org.freedesktop.DBus.Properties.PropertiesChanged"
	hint := func(v any) map[string]dbus.Variant { return map[string]dbus.Variant{"LockedHint": dbus.MakeVariant(v)} }
	sessionBodies := [][]any{
		{},
		{sessionIface},
		{sessionIface, hint(true)},
		{sessionIface, hint("true"), []string{}},
		{sessionIface, hint(uint32(0)), []string{}},
		{sessionIface, map[string]any{"LockedHint": true}, []string{}},
		{"org.freedesktop.login1.User", hint(true), []string{}},
		{true, hint(true), []string{}},
	}
	saverBodies := [][]any{{}, {"true"}, {true, true}, {uint32(0)}}
	for _, locked := range []bool{false, true} {
		w := &Watcher{log: log, notices: make(chan Notice, 1), locked: locked}
		for _, body := range sessionBodies {
			l.sessionChanged(context.Background(), w, &dbus.Signal{Path: testenv.FakeSessionPath, Name: propsChanged, Body: body})
			if len(w.notices) != 0 {
				t.Fatalf("locked %v: PropertiesChanged %v gave the notice %v", locked, body, (<-w.notices).Kind)
			}
		}
		for _, body := range saverBodies {
			for _, saver := range screenSavers {
				s.activeChanged(context.Background(), w, &dbus.Signal{Name: saver.iface + ".ActiveChanged", Body: body})
				if len(w.notices) != 0 {
					t.Fatalf("locked %v: %s.ActiveChanged %v gave the notice %v", locked, saver.iface, body, (<-w.notices).Kind)
				}
			}
		}
		// And the well-formed ones do make notices: the test can fail.
		l.sessionChanged(context.Background(), w, &dbus.Signal{Name: propsChanged, Body: []any{sessionIface, hint(!locked), []string{}}})
		if len(w.notices) != 1 {
			t.Fatalf("locked %v: a well-formed LockedHint %v made no notice", locked, !locked)
		}
		<-w.notices
		s.activeChanged(context.Background(), w, &dbus.Signal{Name: "org.gnome.ScreenSaver.ActiveChanged", Body: []any{locked}})
		if len(w.notices) != 1 {
			t.Fatalf("locked %v: a well-formed ActiveChanged(%v) made no notice", locked, locked)
		}
	}
}
