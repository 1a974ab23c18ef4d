//go:build unix

package testenv

import (
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestProcessExitCodeOutputAndEnvironment(t *testing.T) {
	cmd := exec.Command("sh", "-c", `echo "ready $GREETING"; read line; echo err >&2; exit 3`)
	cmd.Env = []string{"GREETING=hola"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := StartProcess(t, cmd)
	if m := p.WaitLog(`ready (\w+)`, 10*time.Second); m[1] != "hola" {
		t.Fatalf("match %q", m)
	}
	if !p.Running() {
		t.Fatal("ended before its input")
	}
	if p.Getenv("GREETING") != "hola" || p.Getenv("PATH") != "" {
		t.Errorf("Getenv: %q, %q", p.Getenv("GREETING"), p.Getenv("PATH"))
	}
	stdin.Close()
	if code := p.Exited(10 * time.Second); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if p.Running() || p.Output() != "ready hola\nerr\n" {
		t.Errorf("running %v, output %q", p.Running(), p.Output())
	}
}

// Exited fails the test, with what the program printed, when it does not
// end in time.
func TestProcessExitedFailsOnAProgramThatRuns(t *testing.T) {
	msg := fatalMessage(t, func(tb testing.TB) {
		p := StartProcess(tb, exec.Command("sh", "-c", "echo started; exec sleep 60"))
		p.WaitLog("started", 10*time.Second)
		p.Exited(100 * time.Millisecond)
	})
	if !strings.Contains(msg, "still running after 100ms") || !strings.Contains(msg, "started") {
		t.Errorf("message %q", msg)
	}
}

func TestProcessStopAndSignal(t *testing.T) {
	// A shell that ends at SIGTERM only after saying so.
	script := `trap 'echo term; exit 0' TERM; trap 'echo hup' HUP; echo ready; while :; do sleep 0.05; done`
	p := StartProcess(t, exec.Command("sh", "-c", script))
	p.WaitLog("ready", 10*time.Second)
	if err := p.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.WaitLog("hup", 10*time.Second)
	p.Stop(10 * time.Second)
	if p.Running() || !strings.Contains(p.Output(), "term") {
		t.Errorf("running %v, output %q", p.Running(), p.Output())
	}
	select {
	case <-p.Done():
	default:
		t.Error("Done not closed after Stop")
	}
	if err := p.Err(); err != nil {
		t.Errorf("Err after a clean exit: %v", err)
	}
	// Killing a program that has ended does nothing.
	p.Kill()
}

func TestDesktopEnvWithoutServices(t *testing.T) {
	d := StartDesktop(t, DesktopOptions{NoBus: true})
	home := NewHome(t)
	env := d.Env(home)
	for _, want := range []string{
		"HOME=" + home.Dir,
		"XDG_RUNTIME_DIR=" + home.Runtime,
		"UCONTACT_TRAY_SYSTEM_DIR=" + home.SystemDir(),
		"DBUS_SESSION_BUS_ADDRESS=" + d.Bus,
		"DBUS_SYSTEM_BUS_ADDRESS=" + d.System,
	} {
		if !slices.Contains(env, want) {
			t.Errorf("no %s in %q", want, env)
		}
	}
	if d.Bus == d.System || !strings.HasPrefix(d.Bus, "unix:path=") || !strings.HasPrefix(d.System, "unix:path=") {
		t.Errorf("buses %q, %q: want two paths where nothing listens", d.Bus, d.System)
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "DISPLAY=") {
			t.Errorf("%s without a display", kv)
		}
	}
}
