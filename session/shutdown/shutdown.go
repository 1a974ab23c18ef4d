// Package shutdown tells the resident when the OS session is ending (shut
// down, reboot, log off), going to sleep or has resumed, and holds the OS
// back while the uContact session is ended: logind delay locks on Linux, a
// hidden top-level window answering WM_QUERYENDSESSION on Windows, the
// power-off notification on macOS, and the signals a logoff sends.
//
// The resident says when a session is open (Hold); the OS is held back only
// then, so an idle app never delays a shutdown.
//
// It also tells when the screen locks and unlocks (Locked, Unlocked), which
// hold nothing back: on Linux from logind's LockedHint on the user's
// session and from the screen savers' ActiveChanged on the session bus (for
// lockers that leave LockedHint alone), on Windows from
// WM_WTSSESSION_CHANGE on the same hidden window, on macOS from the
// com.apple.screenIsLocked and screenIsUnlocked distributed notifications
// (written against Apple's documentation, never built or run here). Every
// mechanism is followed by its signals: nothing is polled.
package shutdown

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Kind is what the OS is doing.
type Kind int

const (
	// SessionEnding: shutdown, reboot, logoff, or the process told to stop.
	SessionEnding Kind = iota
	// Suspending: the machine is going to sleep.
	Suspending
	// Resumed: the machine woke up.
	Resumed
	// Locked: the screen was locked (or the screen saver came on).
	Locked
	// Unlocked: the screen was unlocked.
	Unlocked
)

func (k Kind) String() string {
	switch k {
	case SessionEnding:
		return "session-ending"
	case Suspending:
		return "suspending"
	case Resumed:
		return "resumed"
	case Locked:
		return "locked"
	case Unlocked:
		return "unlocked"
	}
	return "unknown"
}

// DefaultDeadline is how long the app takes at most to end the session
// when the OS allows more (or does not say): well inside logind's default
// 5 s delay and Windows' 5 s before it offers to force the shutdown.
const DefaultDeadline = 3 * time.Second

// Notice is one event from the OS.
type Notice struct {
	Kind Kind
	// Source names what sent it, for the log: "logind", "SIGTERM"…
	Source string
	// Deadline is when the OS stops waiting; zero for Resumed, Locked and
	// Unlocked, which hold nothing back (Done does nothing).
	Deadline time.Time
	done     func()
}

// NewNotice makes a notice of kind from source, for a source of notices
// other than the OS's (a stand-in for the OS where there is none). done,
// if not nil, is what the first call of Done runs.
func NewNotice(kind Kind, source string, deadline time.Time, done func()) Notice {
	if done != nil {
		done = once(done)
	}
	return Notice{Kind: kind, Source: source, Deadline: deadline, done: done}
}

// Done tells the OS the app is ready: it releases the lock or returns from
// the message that held the OS back. Call it once the session is ended, or
// has failed to end in time. Calling it more than once is harmless.
func (n Notice) Done() {
	if n.done != nil {
		n.done()
	}
}

// Watcher delivers the OS's notices.
type Watcher struct {
	log     *slog.Logger
	notices chan Notice
	sources []source
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	// lockMu is held while a lock change is judged and delivered, so that
	// notices from several mechanisms keep the order they were judged in.
	lockMu sync.Mutex
	locked bool // the screen is locked, as last said
}

// source is one platform mechanism.
type source interface {
	run(ctx context.Context, w *Watcher)
	hold(bool)
}

// Watch starts every mechanism the platform has. Notices arrive on
// Notices() until ctx ends or Close is called.
func Watch(ctx context.Context, log *slog.Logger) *Watcher {
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{log: log, notices: make(chan Notice), cancel: cancel}
	w.sources = platformSources(log)
	for _, s := range w.sources {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			s.run(ctx, w)
		}()
	}
	return w
}

// Notices is the channel of the OS's notices.
func (w *Watcher) Notices() <-chan Notice { return w.notices }

// Hold says whether a uContact session is open, so that the OS is held back
// (delay locks taken) only while there is one to end.
func (w *Watcher) Hold(open bool) {
	for _, s := range w.sources {
		s.hold(open)
	}
}

// Close stops watching and releases every lock.
func (w *Watcher) Close() {
	w.cancel()
	w.wg.Wait()
}

// send delivers a notice, or drops it (releasing what it holds) when the
// watcher is closing.
func (w *Watcher) send(ctx context.Context, n Notice) {
	w.log.Info("OS notice", "kind", n.Kind.String(), "source", n.Source)
	select {
	case w.notices <- n:
	case <-ctx.Done():
		n.Done()
	}
}

// screenLocked delivers Locked or Unlocked when locked differs from what
// the last notice said. Several mechanisms may tell of the same lock (logind
// and a screen saver): the first to say so makes the one notice. The last
// word wins rather than waiting for every mechanism to agree, so that one
// which never takes back "locked" (a locker that leaves LockedHint set)
// cannot keep the app from hearing that the screen is back.
func (w *Watcher) screenLocked(ctx context.Context, locked bool, source string) {
	w.lockMu.Lock()
	defer w.lockMu.Unlock()
	if w.locked == locked {
		w.log.Debug("screen lock: nothing new", "locked", locked, "source", source)
		return
	}
	w.locked = locked
	kind := Unlocked
	if locked {
		kind = Locked
	}
	w.send(ctx, Notice{Kind: kind, Source: source})
}

// deadlineWithin is the deadline for work the OS allows at most max for.
func deadlineWithin(max time.Duration) time.Time {
	d := DefaultDeadline
	if max > 0 {
		// Leave a quarter of the OS's time for the process to let go.
		d = min(d, max*3/4)
	}
	return time.Now().Add(d)
}

// once makes a func that runs f at most once.
func once(f func()) func() {
	var o sync.Once
	return func() { o.Do(f) }
}
