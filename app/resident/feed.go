package resident

import (
	"context"
	"runtime/debug"
	"time"

	"ucontact-tray/app/tray"
	"ucontact-tray/session"
)

// busyDelay is how long a login or logout lasts before the tray shows it
// busy. Most take less: the icon then goes straight to the outcome, with
// no flicker, and the work is not slowed down by redrawing it (a new icon
// is 16 kB that godbus encodes twice: about 1 ms of the resident's one
// processor, measured with pprof during make bench's logins).
const busyDelay = 300 * time.Millisecond

// settleAfter is how long after the tray last changed settle runs.
const settleAfter = time.Second

// settle hands the memory of a burst of work (the start, a login, a
// logout) back to the OS. The resident then idles for hours: left to
// itself, the Go runtime would keep the burst's garbage all day (a heap
// this small never reaches the collector's first trigger), or release it
// bit by bit from the background scavenger, which wakes the process up to
// do so. One collection per burst costs about a millisecond, after the
// burst rather than in its middle: on the resident's one processor it
// would hold up a login by as much.
func settle() { debug.FreeOSMemory() }

// trayFeed turns the session's snapshots into tray models and applies
// them, as they come and when something else the tray shows changes
// (refresh).
type trayFeed struct {
	updates     <-chan session.Snapshot
	refresh     <-chan struct{}
	renew       <-chan chan struct{} // make the menu again, then close the channel sent
	model       func(session.Snapshot) tray.Model
	apply       func(tray.Model)
	applyAnew   func(tray.Model) // apply, in a menu made again
	busyDelay   time.Duration
	settleAfter time.Duration
	settle      func()
}

// run applies the model of last, then of every update, until updates
// closes or ctx ends. A busy model (a login or logout under way) is applied
// only once it has lasted busyDelay; settle runs settleAfter the last
// change, once, and not again until the next one: no timer runs while
// nothing happens.
func (f trayFeed) run(ctx context.Context, last session.Snapshot) {
	settled := time.AfterFunc(f.settleAfter, f.settle)
	defer settled.Stop()
	var showBusy <-chan time.Time // fires once a login or logout has lasted busyDelay
	busyDue := false
	var anew []chan struct{} // the next model goes in a menu made again, then these close
	for {
		select {
		case s, ok := <-f.updates:
			if !ok {
				return
			}
			last = s
		case <-f.refresh:
		case done := <-f.renew:
			anew = append(anew, done)
		case <-showBusy:
			showBusy, busyDue = nil, true
		case <-ctx.Done():
			return
		}
		m := f.model(last)
		if m.Icon != tray.IconBusy {
			showBusy, busyDue = nil, false
		} else if !busyDue {
			if showBusy == nil {
				showBusy = time.After(f.busyDelay)
			}
			continue
		}
		if anew != nil {
			f.applyAnew(m)
			for _, done := range anew {
				close(done)
			}
			anew = nil
		} else {
			f.apply(m)
		}
		settled.Reset(f.settleAfter)
	}
}
