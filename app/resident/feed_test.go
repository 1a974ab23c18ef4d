package resident

import (
	"context"
	"testing"
	"time"

	"ucontact-tray/app/tray"
	"ucontact-tray/session"
)

// feedBed runs a trayFeed whose model is just the icon of the state, and
// records what it applies and how often it settles.
type feedBed struct {
	updates chan session.Snapshot
	refresh chan struct{}
	renew   chan chan struct{}
	applied chan tray.Icon
	anew    chan tray.Icon // applied in a menu made again
	settled chan struct{}
}

func startFeed(t *testing.T, busyDelay, settleAfter time.Duration) *feedBed {
	b := &feedBed{
		updates: make(chan session.Snapshot),
		refresh: make(chan struct{}),
		renew:   make(chan chan struct{}),
		applied: make(chan tray.Icon, 10),
		anew:    make(chan tray.Icon, 10),
		settled: make(chan struct{}, 10),
	}
	icons := map[session.State]tray.Icon{
		session.LoggedOut: tray.IconLoggedOut, session.LoggedIn: tray.IconLoggedIn,
		session.LoggingIn: tray.IconBusy, session.LoggingOut: tray.IconBusy,
		session.LogoutPending: tray.IconAttention,
	}
	f := trayFeed{
		updates: b.updates, refresh: b.refresh, renew: b.renew,
		model:     func(s session.Snapshot) tray.Model { return tray.Model{Icon: icons[s.State]} },
		apply:     func(m tray.Model) { b.applied <- m.Icon },
		applyAnew: func(m tray.Model) { b.anew <- m.Icon },
		busyDelay: busyDelay, settleAfter: settleAfter,
		settle: func() { b.settled <- struct{}{} },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.run(ctx, session.Snapshot{State: session.LoggedOut})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return b
}

func (b *feedBed) send(s session.State) { b.updates <- session.Snapshot{State: s} }

func (b *feedBed) next(t *testing.T) tray.Icon {
	t.Helper()
	select {
	case icon := <-b.applied:
		return icon
	case <-time.After(5 * time.Second):
		t.Fatal("nothing applied")
		return 0
	}
}

func (b *feedBed) nothingApplied(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case icon := <-b.applied:
		t.Fatalf("applied icon %d", icon)
	case <-time.After(within):
	}
}

// A login that ends before busyDelay goes straight to its outcome.
func TestQuickLoginIsNotShownBusy(t *testing.T) {
	b := startFeed(t, time.Hour, time.Hour)
	b.send(session.LoggingIn)
	b.send(session.LoggedIn)
	if icon := b.next(t); icon != tray.IconLoggedIn {
		t.Fatalf("applied icon %d, want logged in", icon)
	}
	b.nothingApplied(t, 50*time.Millisecond)
}

// A login that lasts is shown busy once busyDelay has passed, then its
// outcome; the next one waits its own busyDelay again.
func TestSlowLoginIsShownBusy(t *testing.T) {
	b := startFeed(t, 50*time.Millisecond, time.Hour)
	for range 2 {
		began := time.Now()
		b.send(session.LoggingIn)
		if icon := b.next(t); icon != tray.IconBusy || time.Since(began) < 50*time.Millisecond {
			t.Fatalf("applied icon %d after %v, want busy after 50 ms", icon, time.Since(began))
		}
		b.refresh <- struct{}{} // still busy: shown again at once
		if icon := b.next(t); icon != tray.IconBusy {
			t.Fatalf("applied icon %d on refresh, want busy", icon)
		}
		b.send(session.LoggedOut)
		if icon := b.next(t); icon != tray.IconLoggedOut {
			t.Fatalf("applied icon %d, want logged out", icon)
		}
	}
}

// settle runs once after a burst of changes, settleAfter the last one,
// and not again while nothing changes.
func TestSettlesOnceAfterABurst(t *testing.T) {
	b := startFeed(t, time.Hour, 100*time.Millisecond)
	<-b.settled // the start's
	for _, s := range []session.State{session.LoggedIn, session.LogoutPending, session.LoggedOut} {
		b.send(s)
		b.next(t)
	}
	select {
	case <-b.settled:
	case <-time.After(5 * time.Second):
		t.Fatal("did not settle after the burst")
	}
	select {
	case <-b.settled:
		t.Fatal("settled twice for one burst")
	case <-time.After(300 * time.Millisecond):
	}
}

// A tray host that appears gets the menu made again, with what the tray
// shows now; the models after it are applied as usual.
func TestANewHostGetsTheMenuMadeAgain(t *testing.T) {
	b := startFeed(t, time.Hour, time.Hour)
	b.send(session.LoggedIn)
	if got := b.next(t); got != tray.IconLoggedIn {
		t.Fatalf("applied %v, want the logged-in icon", got)
	}
	done := make(chan struct{})
	b.renew <- done
	select {
	case got := <-b.anew:
		if got != tray.IconLoggedIn {
			t.Errorf("made again with %v, want the logged-in icon", got)
		}
		<-done // told once it is made
	case got := <-b.applied:
		t.Fatalf("applied %v to the old menu, want it made again", got)
	case <-time.After(5 * time.Second):
		t.Fatal("the menu was not made again")
	}
	b.send(session.LogoutPending)
	if got := b.next(t); got != tray.IconAttention {
		t.Fatalf("applied %v after the new menu, want the attention icon", got)
	}
	if len(b.anew) != 0 {
		t.Error("the menu was made again twice for one host")
	}
}
