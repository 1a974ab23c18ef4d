//go:build unix

package control

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// child is a helper process: this test binary in one of the roles of
// runChild. It speaks in lines: it says what it did on its standard
// output, and is told what to do on its standard input.
type child struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

// startChild starts exe (this test binary, or a copy) as role in dir;
// prepare may change the command first. It is killed, by its PID, when
// the test ends.
func startChild(t *testing.T, exe, role, dir string, prepare func(*exec.Cmd)) *child {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+role, childDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	if prepare != nil {
		prepare(cmd)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the %s helper: %v", role, err)
	}
	c := &child{t: t, cmd: cmd, in: in, lines: make(chan string, 64)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // it may have ended
		cmd.Wait()         //nolint:errcheck
	})
	return c
}

// expect waits for a line that contains text, and returns it. Lines
// before it are logged. The wait is bounded so that a broken helper fails
// the test instead of hanging it.
func (c *child) expect(text string) string {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("the helper ended before saying %q", text)
			}
			if strings.Contains(line, text) {
				return line
			}
			c.t.Logf("helper: %s", line)
		case <-timeout:
			c.t.Fatalf("the helper did not say %q in 30 s", text)
		}
	}
}

// say sends the helper one line.
func (c *child) say(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatalf("telling the helper %q: %v", line, err)
	}
}

// needRoot is for a test that acts as another user. Without root it is
// skipped on a developer's machine, and fails in CI, which runs as root:
// there it must run.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test acts as another user and needs root, which CI has")
	}
	t.Skip("acting as another user needs root")
}
