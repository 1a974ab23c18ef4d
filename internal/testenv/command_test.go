package testenv

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRunReturnsTheExitCodeAndOutput(t *testing.T) {
	r := Run(t, 0, exec.Command("sh", "-c", `read line; echo "out $line"; echo err >&2; exit 3`), "hola")
	if r.Code != 3 || r.Stdout != "out hola\n" || r.Stderr != "err\n" {
		t.Fatalf("%+v", r)
	}
}

// A program that does not end is killed at its deadline and fails the test
// with what it printed, instead of holding the test until go test's own
// timeout.
func TestRunKillsAProgramThatDoesNotEnd(t *testing.T) {
	start := time.Now()
	msg := fatalMessage(t, func(tb testing.TB) {
		Run(tb, 300*time.Millisecond, exec.Command("sh", "-c", "echo started; exec sleep 60"), "")
	})
	if !strings.Contains(msg, "still running after 300ms") || !strings.Contains(msg, "started") {
		t.Errorf("message %q", msg)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v", took)
	}
}

// A child that outlives the program and keeps its output open (as Wine's
// wineserver does) does not hold Run for longer than waitDelay.
func TestRunDoesNotWaitForAChildHoldingTheOutput(t *testing.T) {
	cmd := exec.Command("sh", "-c", `sleep 30 & echo $!; exit 0`)
	start := time.Now()
	r := Run(t, 0, cmd, "")
	took := time.Since(start)
	if pid := strings.TrimSpace(r.Stdout); pid != "" {
		if n, err := strconv.Atoi(pid); err == nil {
			if p, err := os.FindProcess(n); err == nil {
				p.Kill() //nolint:errcheck
			}
		}
	}
	if r.Code != 0 || took > waitDelay+5*time.Second {
		t.Fatalf("exit %d after %v", r.Code, took)
	}
}

// What a test run starts carries its mark, children included, and is found
// and killed if left behind.
func TestLeftoversAreFoundAndKilled(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc here")
	}
	t.Setenv(runMarker, "leftover-test")
	cmd := exec.Command("sh", "-c", "sleep 60 & sleep 60 & echo ready; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }() //nolint:errcheck
	left := KillLeftovers(0)
	if len(left) != 3 { // the shell and its two sleeps
		t.Errorf("leftovers %v, want the shell and its two children", left)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the shell still runs")
	}
	WaitFor(t, 5*time.Second, "no leftover", func() bool { return len(marked(RunMark())) == 0 })
}
