package shutdown

import (
	"testing"
	"time"
)

const wait = 5 * time.Second

func next(t *testing.T, w *Watcher) Notice {
	t.Helper()
	select {
	case n := <-w.Notices():
		return n
	case <-time.After(wait):
		t.Fatal("no notice")
	}
	return Notice{}
}

// expect fails unless the next notice is kind, from source.
func expect(t *testing.T, w *Watcher, kind Kind, source string) {
	t.Helper()
	n := next(t, w)
	if n.Kind != kind || n.Source != source {
		t.Fatalf("notice %s from %s, want %s from %s", n.Kind, n.Source, kind, source)
	}
	if !n.Deadline.IsZero() {
		t.Errorf("a %s notice with a deadline: %v", kind, n.Deadline)
	}
	n.Done() // holds nothing: harmless
}
