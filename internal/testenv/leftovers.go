package testenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runMarker names the environment variable that MarkRun sets: every
// process a test run starts carries it, and so does whatever those start
// in turn (a wineserver, a dbus-daemon that dbus-launch started), however
// detached from the test they are.
const runMarker = "UCT_TEST_RUN"

// MarkRun marks this test run: from now on every process it starts with
// the inherited environment carries the mark, and RunMark is to be added
// to the environment of those given one of their own. It returns the mark.
func MarkRun() string {
	mark := runMarker + "=" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	name, value, _ := strings.Cut(mark, "=")
	os.Setenv(name, value) //nolint:errcheck // a valid name
	return mark
}

// RunMark is the mark of this run, "NAME=value", for an environment a test
// builds itself; "" if MarkRun was not called.
func RunMark() string {
	if v := os.Getenv(runMarker); v != "" {
		return runMarker + "=" + v
	}
	return ""
}

// Leftover is a process of this run still running.
type Leftover struct {
	PID     int
	Command string
}

func (l Leftover) String() string { return fmt.Sprintf("%d %s", l.PID, l.Command) }

// KillLeftovers waits up to grace for the processes carrying this run's
// mark (other than this one) to end, kills by PID those still there, and
// returns them: a test run must leave nothing behind. It finds nothing
// where there is no /proc, or when MarkRun was not called.
func KillLeftovers(grace time.Duration) []Leftover {
	mark := RunMark()
	if mark == "" {
		return nil
	}
	deadline := time.Now().Add(grace)
	for {
		left := marked(mark)
		if len(left) == 0 || time.Now().After(deadline) {
			return killMarked(mark, left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killMarked kills left by PID, then looks again, and kills what it finds,
// until a look finds nothing (or after a few looks), and returns all it
// killed. One look can miss a process: one in the middle of an exec shows
// no environment for that moment, and one a leftover was just starting
// appears after it.
func killMarked(mark string, left []Leftover) []Leftover {
	var killed []Leftover
	seen := map[int]bool{}
	for look := 0; len(left) > 0 && look < 20; look++ {
		for _, l := range left {
			if p, err := os.FindProcess(l.PID); err == nil {
				p.Kill() //nolint:errcheck // it may have just ended
			}
			if !seen[l.PID] {
				seen[l.PID] = true
				killed = append(killed, l)
			}
		}
		time.Sleep(10 * time.Millisecond)
		left = marked(mark)
	}
	return killed
}

// LeftNothing ends a run marked by MarkRun: it calls KillLeftovers, prints
// to stderr what the run (who, "the tests") left running, and reports
// whether it left nothing. A TestMain exits non-zero when it did not.
func LeftNothing(who string, grace time.Duration) bool {
	left := KillLeftovers(grace)
	if len(left) == 0 {
		return true
	}
	fmt.Fprintf(os.Stderr, "FAIL: %s left %d processes running (now killed):\n", who, len(left))
	for _, l := range left {
		fmt.Fprintln(os.Stderr, "  ", l)
	}
	return false
}

// Marked lists the processes, other than this one, whose environment
// holds mark ("NAME=value"): what a test that gave its programs a mark of
// their own left running. It finds nothing where there is no /proc.
func Marked(mark string) []Leftover { return marked(mark) }

// marked lists the processes, other than this one, whose environment holds
// mark.
func marked(mark string) []Leftover {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := []byte(mark)
	var left []Leftover
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !hasVar(env, want) {
			continue // gone, a zombie, or not ours
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		left = append(left, Leftover{PID: pid, Command: strings.TrimSpace(string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))})
	}
	return left
}

// hasVar reports whether the NUL-separated environment env has the entry v.
func hasVar(env, v []byte) bool {
	for _, entry := range bytes.Split(env, []byte{0}) {
		if bytes.Equal(entry, v) {
			return true
		}
	}
	return false
}
