// Package testenv starts the real services that integration and end-to-end
// tests need (a private D-Bus, gnome-keyring…), each owned by one test and
// stopped when it ends. A missing program skips the test on a developer's
// machine but fails it under CI=true, so a CI run cannot pass by skipping.
package testenv

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Require fails the test under CI=true, and skips it elsewhere, when a
// program it needs is not installed. The apt package is named in the message.
func Require(t testing.TB, program, aptPackage string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found; install it with: apt-get install %s", program, aptPackage)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// busConfig is a session bus with no service directories: nothing is
// auto-activated, so a test decides exactly which services exist.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus runs a private dbus-daemon and returns its address.
func StartBus(t testing.TB) string {
	t.Helper()
	daemon := Require(t, "dbus-daemon", "dbus-daemon")
	dir := ShortTempDir(t)
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, filepath.Join(dir, "bus"))), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Not the test's own stderr: a daemon outliving a killed test would keep
	// `go test` waiting on that pipe. Its complaints (the fd limit, as an
	// unprivileged bus) are shown only if the test fails.
	log := &Buffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() && log.String() != "" {
			t.Logf("dbus-daemon said:\n%s", log.String())
		}
	})
	t.Cleanup(func() { stop(cmd) })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}

// Keyring is a gnome-keyring-daemon serving the Secret Service on a bus.
type Keyring struct {
	Dir string // its XDG_DATA_HOME
}

// StartKeyring runs gnome-keyring-daemon on the bus at busAddr with a login
// keyring unlocked by a throw-away password, and waits until it answers.
func StartKeyring(t testing.TB, busAddr string) *Keyring {
	t.Helper()
	daemon := Require(t, "gnome-keyring-daemon", "gnome-keyring")
	data := t.TempDir()
	runtimeDir := ShortTempDir(t)
	cmd := exec.Command(daemon, "--foreground", "--unlock", "--components=secrets")
	cmd.Env = append(os.Environ(),
		"DBUS_SESSION_BUS_ADDRESS="+busAddr,
		"XDG_DATA_HOME="+data,
		"XDG_RUNTIME_DIR="+runtimeDir,
		"HOME="+data,
	)
	cmd.Stdin = strings.NewReader("test-keyring-password")
	log := &Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gnome-keyring-daemon: %v", err)
	}
	t.Cleanup(func() { stop(cmd) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitForName(ctx, busAddr, "org.freedesktop.secrets"); err != nil {
		t.Fatalf("gnome-keyring did not register on the bus: %v\n%s", err, log.String())
	}
	return &Keyring{Dir: data}
}

// ShortTempDir is a temporary directory, removed when the test ends, with
// a path short enough for a unix socket (108 bytes), which t.TempDir's long
// names can exceed.
func ShortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "uct")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// stop ends a service: SIGTERM first, then SIGKILL if it lingers.
func stop(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt) //nolint:errcheck // it may be gone already
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }() //nolint:errcheck
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		cmd.Process.Kill() //nolint:errcheck
		<-done
	}
}

// Buffer collects what a process or goroutine writes while a test reads
// it: a bytes.Buffer safe for concurrent use.
type Buffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
