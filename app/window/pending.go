package window

import "sync"

// pending counts what the window has going on off the UI thread: calls
// whose result has not been delivered to the UI thread yet, and streams of
// the resident's state it follows. The window itself never reads the
// counts; they tell whoever drives it (the tests) that it has done all it
// was asked to, without watching its goroutines.
//
// Unlike the rest of the window, it is safe to use from any goroutine.
type pending struct {
	mu      sync.Mutex
	calls   int
	watches int
	changed chan struct{} // closed, and forgotten, at the next change
}

// add changes the counts: +1 when work starts, -1 once it has been
// delivered.
func (p *pending) add(calls, watches int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls += calls
	p.watches += watches
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}

// now returns the counts, and a channel closed when they next change.
func (p *pending) now() (calls, watches int, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.changed == nil {
		p.changed = make(chan struct{})
	}
	return p.calls, p.watches, p.changed
}
