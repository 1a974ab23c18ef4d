package idle

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run in a synctest bubble: time is fake, and moves only when
// every goroutine of the test waits, so the waits are checked for when
// they read the idle time, deterministically and without taking that long.

// fakeUser is a Source whose user gives input when the test says.
type fakeUser struct {
	mu        sync.Mutex
	lastInput time.Time
	coarse    time.Duration // the reading's step, like Windows' ticks
	err       error
	checks    []time.Time // when Idle was called
}

func newFakeUser(idle time.Duration) *fakeUser {
	return &fakeUser{lastInput: time.Now().Add(-idle)}
}

func (u *fakeUser) Idle(context.Context) (time.Duration, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.checks = append(u.checks, time.Now())
	if u.err != nil {
		return 0, u.err
	}
	idle := time.Since(u.lastInput)
	if u.coarse > 0 {
		idle = idle.Truncate(u.coarse)
	}
	return idle, nil
}

func (u *fakeUser) input() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.lastInput = time.Now()
}

func (u *fakeUser) fail(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.err = err
}

// gaps is the time between each check and the one before it.
func (u *fakeUser) gaps() []time.Duration {
	u.mu.Lock()
	defer u.mu.Unlock()
	var gaps []time.Duration
	for i := 1; i < len(u.checks); i++ {
		gaps = append(gaps, u.checks[i].Sub(u.checks[i-1]))
	}
	return gaps
}

// works has the user give input every interval for how long, then stop.
func (u *fakeUser) works(interval, how time.Duration) {
	for end := time.Now().Add(how); time.Now().Before(end); {
		u.input()
		time.Sleep(interval)
	}
}

func TestWaitIdleWhileTheUserWorks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(0)
		go u.works(10*time.Second, time.Hour)
		start := time.Now()
		idle, err := WaitIdle(t.Context(), u, 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		waited := time.Since(start)
		// The last input came just before the hour was up.
		if waited < time.Hour+15*time.Minute-10*time.Second || waited > time.Hour+15*time.Minute+time.Second {
			t.Errorf("returned %v after the start, want 15 min after the user's last input, near 1 h", waited)
		}
		if idle < 15*time.Minute {
			t.Errorf("returned idle %v, want at least 15 min", idle)
		}
		gaps := u.gaps()
		// The last gap may be shorter: the rest of the wait, once a check
		// found the user gone for almost 15 min.
		for i, g := range gaps[:len(gaps)-1] {
			if g < 30*time.Second {
				t.Errorf("check %d came %v after the one before it: more than one per 30 s", i+1, g)
			}
		}
		// One check per 15 min of work, give or take the end.
		if len(gaps) > 6 {
			t.Errorf("%d checks in 1 h 15 min: %v", len(gaps)+1, gaps)
		}
	})
}

func TestWaitIdleWhenAlreadyIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(20 * time.Minute)
		idle, err := WaitIdle(t.Context(), u, 15*time.Minute)
		if err != nil || idle < 20*time.Minute {
			t.Fatalf("WaitIdle = %v, %v; want the 20 min idle at once", idle, err)
		}
		if n := len(u.checks); n != 1 {
			t.Errorf("%d checks, want 1", n)
		}
	})
}

func TestWaitIdleSleepsOnlyTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(14*time.Minute + 50*time.Second)
		start := time.Now()
		if _, err := WaitIdle(t.Context(), u, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 10*time.Second {
			t.Errorf("returned after %v, want the 10 s left", waited)
		}
		if n := len(u.checks); n != 2 {
			t.Errorf("%d checks, want 2: before and after the 10 s", n)
		}
	})
}

func TestWaitIdleStartsOverWhenTheUserComesBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(14 * time.Minute)
		go func() {
			time.Sleep(30 * time.Second)
			u.input()
		}()
		start := time.Now()
		if _, err := WaitIdle(t.Context(), u, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 15*time.Minute+30*time.Second {
			t.Errorf("returned after %v, want 15 min after the input at 30 s", waited)
		}
	})
}

func TestWaitIdleWithACoarseClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(0)
		u.coarse = 16 * time.Millisecond
		go u.works(7*time.Second, 10*time.Minute)
		if _, err := WaitIdle(t.Context(), u, 2*time.Minute+3*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		for i, g := range u.gaps() {
			if g < time.Second {
				t.Errorf("check %d came %v after the one before it", i+1, g)
			}
		}
	})
}

func TestWaitIdleReportsTheSourcesError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(0)
		broken := errors.New("no idle monitor")
		go func() {
			u.works(10*time.Second, 20*time.Minute)
			u.fail(broken)
		}()
		if _, err := WaitIdle(t.Context(), u, 15*time.Minute); !errors.Is(err, broken) {
			t.Fatalf("WaitIdle = %v, want the source's error", err)
		}
	})
}

func TestWaitIdleEndsWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(0)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if _, err := WaitIdle(ctx, u, 15*time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitIdle = %v, want the context's end", err)
		}
		if n := len(u.checks); n != 1 {
			t.Errorf("%d checks in the minute, want 1", n)
		}
	})
}

func TestWaitInputSeesTheUserComeBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(14 * time.Minute)
		go func() {
			time.Sleep(7*time.Second + 300*time.Millisecond)
			u.input()
		}()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		if err := WaitInput(ctx, u, 14*time.Minute); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 8*time.Second {
			t.Errorf("returned after %v, want the check following the input at 7.3 s", waited)
		}
	})
}

func TestWaitInputWithoutInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(14 * time.Minute)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if err := WaitInput(ctx, u, 14*time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitInput = %v, want the end of the minute", err)
		}
		for i, g := range u.gaps() {
			if g != time.Second {
				t.Errorf("check %d came %v after the one before it, want 1 s", i+1, g)
			}
		}
	})
}

func TestWaitInputSeesInputBeforeItsFirstCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(14 * time.Minute)
		// The user comes back as the warning appears, before any check.
		u.input()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if err := WaitInput(ctx, u, 14*time.Minute); err != nil {
			t.Fatal(err)
		}
		if n := len(u.checks); n != 1 {
			t.Errorf("%d checks, want 1", n)
		}
	})
}

func TestWaitInputReportsTheSourcesError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newFakeUser(14 * time.Minute)
		broken := errors.New("no idle monitor")
		u.fail(broken)
		if err := WaitInput(t.Context(), u, 14*time.Minute); !errors.Is(err, broken) {
			t.Fatalf("WaitInput = %v, want the source's error", err)
		}
	})
}
