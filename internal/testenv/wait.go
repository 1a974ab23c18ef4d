package testenv

import (
	"testing"
	"time"
)

// pollInterval is how often WaitFor re-checks: short enough that tests do
// not idle, long enough not to hammer a bus or the X server.
const pollInterval = 50 * time.Millisecond

// WaitFor polls cond until it returns true, and fails the test if that takes
// longer than timeout. Services started by a test become ready
// asynchronously, so tests wait for the observable state instead of sleeping.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-ticker.C
	}
}
