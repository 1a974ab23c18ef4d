package testenv

import (
	"fmt"
	"runtime"
	"testing"
)

// fatalRecorder is a testing.TB whose Fatal and Fatalf record the message
// and stop the goroutine, as the real ones do, without failing the test: it
// lets a test check that a helper fails when it should.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalMessage runs fn and returns the message it failed with; the test
// fails if fn returns without failing.
func fatalMessage(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("expected a fatal failure, but the helper returned")
	}
	return rec.msg
}
