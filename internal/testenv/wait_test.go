package testenv

import (
	"testing"
	"time"
)

func TestWaitForReturnsOnceConditionHolds(t *testing.T) {
	calls := 0
	WaitFor(t, 5*time.Second, "the third call", func() bool {
		calls++
		return calls == 3
	})
	if calls != 3 {
		t.Fatalf("cond called %d times, want 3", calls)
	}
}

func TestWaitForFailsOnTimeout(t *testing.T) {
	start := time.Now()
	msg := fatalMessage(t, func(tb testing.TB) {
		WaitFor(tb, 200*time.Millisecond, "never", func() bool { return false })
	})
	if want := "timed out after 200ms waiting for never"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	if took := time.Since(start); took < 200*time.Millisecond || took > 2*time.Second {
		t.Errorf("gave up after %v, want about 200ms", took)
	}
}
