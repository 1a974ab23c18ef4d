//go:build unix

package testenv

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outputDelay bounds the wait for a program's output once it has ended: a
// window it started shares its output and may outlive it.
const outputDelay = 2 * time.Second

// Process is a long-running program a test started (the resident, the
// window, a floor program), with its output, both streams together.
type Process struct {
	t       testing.TB
	Name    string    // the program's file name, for messages
	Started time.Time // just before it was started
	cmd     *exec.Cmd
	out     *Buffer
	group   bool // it leads a process group of its own
	done    chan struct{}
	err     error // how it ended, once done is closed
}

// StartProcess starts cmd (its Env set by the caller) in a process group of
// its own, so that what it starts (a window) is killed with it when the
// test ends. The test fails if it cannot be started, and shows the
// program's output if it fails.
func StartProcess(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := startProcess(t, cmd)
	p.group = true
	t.Cleanup(p.Kill)
	return p
}

// StartUnmanaged is StartProcess for a program that the test ends by other
// means (Wine's processes, ended by wineserver -k): it runs in the test's
// own process group and is not killed when the test ends.
func StartUnmanaged(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	return startProcess(t, cmd)
}

func startProcess(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	p := &Process{t: t, Name: filepath.Base(cmd.Path), cmd: cmd, out: &Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.WaitDelay = outputDelay
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", strings.Join(cmd.Args, " "), err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	// Registered before the caller's cleanups, so it runs after them: once
	// the program has been stopped and its output is complete.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of %s (pid %d):\n%s", strings.Join(cmd.Args, " "), p.PID(), p.Output())
		}
	})
	return p
}

// PID is the program's process ID, and that of its process group if it
// has one of its own.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Output is everything the program has printed so far.
func (p *Process) Output() string { return p.out.String() }

// Env is the program's environment.
func (p *Process) Env() []string { return p.cmd.Env }

// Getenv is the value of key in the program's environment.
func (p *Process) Getenv(key string) string {
	for _, kv := range p.cmd.Env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// Running reports whether the program has not ended yet.
func (p *Process) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Done is closed when the program has ended.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the program ended, as exec.Cmd.Wait says, once Done is
// closed.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Signal sends sig to the program alone, not to what it started.
func (p *Process) Signal(sig syscall.Signal) error {
	if err := syscall.Kill(p.PID(), sig); err != nil {
		return fmt.Errorf("sending %v to %s (pid %d): %w", sig, p.Name, p.PID(), err)
	}
	return nil
}

// Kill kills the program, with its process group (whatever it started) if
// it has one, and waits for it to end. Killing a program that has ended
// does nothing.
func (p *Process) Kill() {
	pid := p.PID()
	if p.group {
		pid = -pid
	}
	syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck // it may be gone
	<-p.done
}

// Exited waits up to timeout for the program to end by itself and returns
// its exit code (-1 if a signal ended it); the test fails if it does not
// end in time.
func (p *Process) Exited(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s still running after %v:\n%s", p.Name, timeout, p.Output())
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("%s: %v\n%s", p.Name, p.err, p.Output())
	}
	return 0
}

// Stop ends the program the way a session logout does (SIGTERM), waiting
// up to timeout, then kills whatever it left behind in its group. The test
// fails if the program does not end in time.
func (p *Process) Stop(timeout time.Duration) {
	p.t.Helper()
	p.Signal(syscall.SIGTERM) //nolint:errcheck // it may be gone
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s still running %v after SIGTERM:\n%s", p.Name, timeout, p.Output())
	}
	p.Kill()
}

// WaitLog waits up to timeout for the program to print a line matching
// re, and returns the match and its groups.
func (p *Process) WaitLog(re string, timeout time.Duration) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	WaitFor(p.t, timeout, p.Name+" to log "+re, func() bool {
		m = rx.FindStringSubmatch(p.Output())
		return m != nil
	})
	return m
}
