// Package idle tells how long the user has given no keyboard or mouse input,
// and waits for that to reach a limit, for a program that runs all day: it
// asks the desktop only when the caller asks, holds nothing open between
// two questions and never polls on its own.
//
// Where the time comes from (Open):
//   - Linux and the BSDs: GNOME's Mutter (org.gnome.Mutter.IdleMonitor on
//     the session bus), which counts input on X11 and Wayland alike, when
//     the bus has it; otherwise the X server's MIT-SCREEN-SAVER extension
//     on $DISPLAY. A Wayland session without Mutter has neither: the X
//     server there (Xwayland) sees only the input sent to X windows, so its
//     count would grow while the user types elsewhere.
//   - Windows: GetLastInputInfo, for the user's session.
//   - macOS: not available. Its idle time (CGEventSourceSecondsSinceLastEventType)
//     needs cgo, which the tray app is built without.
//
// Where there is none, Open fails with ErrUnavailable, for the caller to
// report once.
package idle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrUnavailable is what Open fails with when the desktop offers no idle
// time; the error says why.
var ErrUnavailable = errors.New("the desktop does not tell how long the user has been idle")

// Source tells how long the user has given no input.
type Source interface {
	Idle(ctx context.Context) (time.Duration, error)
}

// System is the desktop's own count of the time since the user's last
// input.
type System struct {
	name string
	idle func(ctx context.Context) (time.Duration, error)
}

// Idle is the time since the user's last keyboard or mouse input.
func (s *System) Idle(ctx context.Context) (time.Duration, error) { return s.idle(ctx) }

// String names where the idle time comes from, for the log.
func (s *System) String() string { return s.name }

// millis converts a count of milliseconds, as desktops give it, to a
// Duration, capping what would overflow.
func millis(ms uint64) time.Duration {
	if ms > math.MaxInt64/uint64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// tick is the finest step of the waits below: how often WaitInput checks,
// and the least WaitIdle sleeps. It keeps a source with a coarse clock
// (Windows counts input time in steps of about 16 ms) from answering
// "a few milliseconds short" and causing a burst of checks.
const tick = time.Second

// WaitIdle returns once the user has been idle for at least d, with the
// idle time it last read (at least d), or with the first error of src or
// ctx.
//
// It checks no more often than it must: after reading an idle time i, it
// sleeps d-i (at least a second), the soonest the user can have been idle
// for d. While the user works, i stays small, so the checks come one per d
// (with d of a minute or more, far less than one per 30 s); a short sleep
// only follows a check that found the user idle for almost d, and is
// followed either by the return or, if the user came back meanwhile, by a
// sleep of almost d again. It returns at most a second late.
func WaitIdle(ctx context.Context, src Source, d time.Duration) (time.Duration, error) {
	for {
		idle, err := src.Idle(ctx)
		if err != nil {
			return 0, fmt.Errorf("reading the idle time: %w", err)
		}
		if idle >= d {
			return idle, nil
		}
		if err := sleep(ctx, max(d-idle, tick)); err != nil {
			return 0, err
		}
	}
}

// WaitInput returns nil once the user gives input, checking every second;
// otherwise the first error of src, or ctx's once it ends: for a warning
// given a deadline, context.DeadlineExceeded means the user did not come
// back. since is an idle time read just before, such as the one WaitIdle
// returned: input shows as an idle time below the reading before it, so
// input in the first second counts only if since is more than a second.
//
// Unlike WaitIdle it checks often, so that the user's return is seen at
// once; it is meant for a short wait such as a warning on screen.
func WaitInput(ctx context.Context, src Source, since time.Duration) error {
	last := since
	for {
		if err := sleep(ctx, tick); err != nil {
			return err
		}
		idle, err := src.Idle(ctx)
		if err != nil {
			return fmt.Errorf("reading the idle time: %w", err)
		}
		if idle < last {
			return nil
		}
		last = idle
	}
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
