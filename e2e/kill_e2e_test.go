//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ucontact-tray/internal/testenv"
)

// killsPerProcess are the kills of each test below, spread evenly over
// the ten milliseconds after the login's answer: the time it takes to keep
// a session (the keyring's part is most of it).
const killsPerProcess = 32

// loginAnswered is the log line of the login's answer. The app writes it
// as soon as the answer is read and its session is in the journal: it is
// the first sign, outside the process, that the answer arrived.
var loginAnswered = regexp.MustCompile(`msg="uContact request" .*path=/Integra/resources/auth/getUserToken .*status=200`)

// The login command killed at any instant after the server's answer: the
// next start knows the session, and ends it.
func TestLoginCommandKilledAfterTheAnswer(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true})
	d.wantLog = d.wantLog[:1] // a killed login may never log its success
	log := watchLog(t, filepath.Join(d.logDir, "ucontact-tray-cli.log"))
	var rows []killRow
	for i := range killsPerProcess {
		delay := killDelay(i)
		login := d.startLogin()
		row := killAfterAnswer(t, log, login.Process.Pid, delay)
		login.Wait() //nolint:errcheck // killed
		row.left = d.leftOnDisk()

		// The next start: it knows the session, and ends it.
		st := d.status()
		if st["user"] != user || (st["state"] != "logged-in" && st["state"] != "logout-pending") {
			t.Fatalf("kill %d at %v: the next start does not know the session: %v", i, row.after, st)
		}
		row.found = st["state"].(string)
		if r := d.run("", "logout"); r.code != 0 {
			t.Fatalf("kill %d: logout: %d %s", i, r.code, r.stderr)
		}
		if open := d.srv.OpenSessions(); len(open) != 0 {
			t.Fatalf("kill %d at %v: %d sessions left open", i, row.after, len(open))
		}
		rows = append(rows, row)
	}
	reportKills(t, "login command", rows, len(d.srv.Sessions()))
}

// The tray app killed at any instant after the answer to a login it was
// asked for: its next start ends the session by itself, and says so.
func TestTrayAppKilledAfterTheAnswer(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, tray: true})
	d.wantLog = d.wantLog[:1] // a killed login may never log its success
	log := watchLog(t, filepath.Join(d.logDir, "ucontact-tray.log"))
	app := d.start()
	app.WaitLog(`tray ready`, startTimeout)
	var rows []killRow
	for i := range killsPerProcess {
		delay := killDelay(i)
		login := d.startLogin()
		row := killAfterAnswer(t, log, app.PID(), delay)
		app.Kill()   // and the window it may have started
		login.Wait() //nolint:errcheck // its tray app was killed
		row.left = d.leftOnDisk()

		// The next start ends the session by itself, and says so.
		app = d.start()
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		err := d.srv.Await(ctx, func() bool { return len(d.srv.OpenSessions()) == 0 })
		cancel()
		if err != nil {
			t.Fatalf("kill %d at %v (left %s): the next start did not end the session", i, row.after, row.left)
		}
		d.Notes.Wait(t, stepTimeout, func(testenv.Notification) bool { return d.recoveredNotices() > i })
		row.found = "ended at start"
		app.WaitLog(`tray ready`, startTimeout)
		rows = append(rows, row)
	}
	reportKills(t, "tray app", rows, len(d.srv.Sessions()))
}

// startLogin starts a login from the command line, and leaves it running.
func (d *desk) startLogin() *exec.Cmd {
	d.t.Helper()
	login := exec.Command(d.bin, "login", "--server", d.srv.URL(), "--user", user, "--kind", "user", "--password-stdin")
	login.Env = d.env()
	login.Stdin = strings.NewReader(password)
	login.Stdout, login.Stderr = io.Discard, io.Discard
	if err := login.Start(); err != nil {
		d.t.Fatal(err)
	}
	return login
}

// killDelay is the i-th kill's time after the answer, evenly over 0–10 ms.
func killDelay(i int) time.Duration {
	return time.Duration(i) * 10 * time.Millisecond / killsPerProcess
}

type killRow struct {
	after time.Duration // from the answer's log line to the kill
	left  string        // what the killed process left on disk
	found string        // what the next start found
}

// killAfterAnswer kills pid delay after the next login answer in log, and
// returns when it was killed.
func killAfterAnswer(t *testing.T, log *logWatch, pid int, delay time.Duration) killRow {
	t.Helper()
	answered := log.next(t, loginAnswered, stepTimeout)
	if delay > 0 {
		time.Sleep(delay - time.Since(answered))
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Fatal(err)
	}
	return killRow{after: time.Since(answered)}
}

// leftOnDisk says which of the journal and the record a killed login left.
func (d *desk) leftOnDisk() string {
	var left []string
	for _, name := range []string{"login.journal", "session.json"} {
		if _, err := os.Stat(filepath.Join(d.stateDir(), name)); err == nil {
			left = append(left, name)
		}
	}
	if len(left) == 0 {
		return "nothing"
	}
	return strings.Join(left, "+")
}

// recoveredNotices counts the notifications that a session left open was
// ended at start.
func (d *desk) recoveredNotices() int {
	n := 0
	for _, note := range d.Notes.All() {
		if note.Summary == "Sesión anterior cerrada" {
			n++
		}
	}
	return n
}

// reportKills logs what the kills left and what the next start found, and
// writes it to the test's output folder.
func reportKills(t *testing.T, who string, rows []killRow, opened int) {
	t.Helper()
	if opened != len(rows) {
		t.Errorf("the server opened %d sessions for %d logins", opened, len(rows))
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts["left "+r.left+", next start: "+r.found]++
	}
	var lines []string
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("%3d  %s", n, k))
	}
	sort.Strings(lines)
	report := fmt.Sprintf("%s killed %d times, %v to %v after the login's answer; sessions left open: 0\n%s\n",
		who, len(rows), rows[0].after.Round(10*time.Microsecond), rows[len(rows)-1].after.Round(10*time.Microsecond), strings.Join(lines, "\n"))
	t.Log(report)
	dir := filepath.Join(outputDir(), strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err == nil {
		os.WriteFile(filepath.Join(dir, "kills.txt"), []byte(report), 0o644) //nolint:errcheck // a report only
	}
}

// logWatch follows a log file as it is written, through inotify: a line is
// seen the moment it is written, with no polling.
type logWatch struct {
	fd   int
	path string
	read int64 // what was already looked at
}

func watchLog(t *testing.T, path string) *logWatch {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), unix.IN_MODIFY|unix.IN_CREATE); err != nil {
		t.Fatal(err)
	}
	w := &logWatch{fd: fd, path: path}
	if fi, err := os.Stat(path); err == nil {
		w.read = fi.Size()
	}
	return w
}

// next waits for a line matching re written after the last one seen, and
// returns when it saw it.
func (w *logWatch) next(t *testing.T, re *regexp.Regexp, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	events := make([]byte, 64<<10)
	for {
		if w.find(re) {
			return time.Now()
		}
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("no line %q in %s within %v", re, w.path, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(left.Milliseconds())+1); err != nil && !errors.Is(err, unix.EINTR) {
			t.Fatal(err)
		}
		for {
			if _, err := unix.Read(w.fd, events); err != nil {
				break // drained (EAGAIN)
			}
		}
	}
}

// find reads what was written since the last look, and reports whether a
// whole line of it matches re.
func (w *logWatch) find(re *regexp.Regexp) bool {
	f, err := os.Open(w.path)
	if err != nil {
		return false
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, w.read, 1<<30))
	if err != nil {
		return false
	}
	end := strings.LastIndexByte(string(b), '\n')
	if end < 0 {
		return false
	}
	w.read += int64(end + 1)
	return re.Match(b[:end+1])
}
