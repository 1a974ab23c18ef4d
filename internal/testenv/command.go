package testenv

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// CommandTimeout is how long an external program may run in a test unless
// the test says otherwise: long enough for Wine's first start on a loaded
// machine, short enough that a stuck program fails its test, not the whole
// run at go test's timeout.
const CommandTimeout = time.Minute

// waitDelay bounds the wait for a program's output once it has ended or
// been killed: a child it left behind (Wine's wineserver, a window) may
// hold the pipe open for as long as it lives.
const waitDelay = 5 * time.Second

// Result is how a program run by Run ended.
type Result struct {
	Code           int // the exit code
	Stdout, Stderr string
}

// Run runs cmd with stdin to its end, or until timeout (CommandTimeout if
// zero), and returns its exit code and output. A program that does not end
// in time is killed and fails the test with what it printed so far; one
// that cannot be started fails it too.
func Run(t testing.TB, timeout time.Duration, cmd *exec.Cmd, stdin string) Result {
	t.Helper()
	if timeout <= 0 {
		timeout = CommandTimeout
	}
	if cmd.Stdin == nil {
		cmd.Stdin = strings.NewReader(stdin)
	}
	stdout, stderr := &Buffer{}, &Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", strings.Join(cmd.Args, " "), err)
	}
	timedOut := make(chan struct{})
	timer := time.AfterFunc(timeout, func() {
		close(timedOut)
		cmd.Process.Kill() //nolint:errcheck // it may just have ended
	})
	err := cmd.Wait()
	timer.Stop()
	select {
	case <-timedOut:
		t.Fatalf("%s still running after %v; killed. It printed:\n%s\n%s",
			strings.Join(cmd.Args, " "), timeout, stdout.String(), stderr.String())
	default:
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return Result{exit.ExitCode(), stdout.String(), stderr.String()}
	case errors.Is(err, exec.ErrWaitDelay):
		// It ended; something it started still holds its output.
	case err != nil:
		t.Fatalf("running %s: %v\n%s\n%s", strings.Join(cmd.Args, " "), err, stdout.String(), stderr.String())
	}
	return Result{0, stdout.String(), stderr.String()}
}

// Output runs cmd as Run does and fails the test unless it succeeds; it
// returns what the program printed, both streams together.
func Output(t testing.TB, timeout time.Duration, cmd *exec.Cmd) string {
	t.Helper()
	r := Run(t, timeout, cmd, "")
	if r.Code != 0 {
		t.Fatalf("%s: exit code %d\n%s%s", strings.Join(cmd.Args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout + r.Stderr
}
