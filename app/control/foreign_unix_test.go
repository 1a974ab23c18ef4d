//go:build unix

package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

const secretPassword = "s3cret-Pa55"

// nobody is the user a test acts as when it needs another one.
const nobody = 65534

// listenCounting is a socket of someone else's at path: it takes
// connections and counts what they send.
func listenCounting(t *testing.T, path string) *testenv.ByteCounter {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return testenv.CountBytes(l)
}

func otherUser() (userID, error) { return os.Getuid() + 1, nil }

func checkForeign(t *testing.T, err error, path, owner string) {
	t.Helper()
	var fe *ForeignError
	if !errors.As(err, &fe) || !errors.Is(err, ErrForeignSocket) {
		t.Fatalf("err = %v, want a ForeignError", err)
	}
	if errors.Is(err, ErrNoResident) || errors.Is(err, ErrNotAnswering) {
		t.Errorf("%v also reads as no tray app", err)
	}
	if fe.Path != path || fe.Owner != owner {
		t.Errorf("ForeignError{Path: %q, Owner: %q}, want %q, %q", fe.Path, fe.Owner, path, owner)
	}
	if strings.Contains(err.Error(), secretPassword) {
		t.Errorf("the password is in the error: %v", err)
	}
}

// A client sends nothing, not even its request, to a socket that is not
// its user's, and says whose it is.
func TestClientSendsNothingToAnotherUsersSocket(t *testing.T) {
	dir := shortDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := SocketPath(dir)
	squatter := listenCounting(t, path)
	c := &Client{path: path, user: otherUser}
	// Bounded: a client that did send waits for an answer that never comes.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Login(ctx, LoginRequest{Server: "https://acme.ucontactcloud.com", User: "ana", Password: secretPassword})
	checkForeign(t, err, path, "uid "+strconv.Itoa(os.Getuid()))
	if _, err := c.Watch(ctx); !errors.Is(err, ErrForeignSocket) {
		t.Errorf("Watch = %v, want ErrForeignSocket", err)
	}
	if n := squatter.Received(); n != 0 {
		t.Errorf("the socket was sent %d bytes", n)
	}
}

// The process at the other end is checked too: the socket file may have
// been replaced between its check and the connection.
func TestPeerCheckSeesTheOtherEnd(t *testing.T) {
	dir := shortDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := SocketPath(dir)
	listenCounting(t, path)
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := peerUID(conn); errors.Is(err, errors.ErrUnsupported) {
		t.Skip("this system does not tell a socket's peer")
	}
	if err := checkPeer(conn, path, os.Getuid()); err != nil {
		t.Fatalf("our own peer: %v", err)
	}
	err = checkPeer(conn, path, os.Getuid()+1)
	checkForeign(t, err, path, "uid "+strconv.Itoa(os.Getuid()))
}

// A link where the socket should be could lead to anyone's socket.
func TestClientRefusesALinkToASocket(t *testing.T) {
	dir := shortDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "real.sock")
	squatter := listenCounting(t, real)
	if err := os.Symlink(real, SocketPath(dir)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := NewClient(SocketPath(dir)).Login(ctx, LoginRequest{User: "ana", Password: secretPassword})
	var fe *ForeignError
	if !errors.As(err, &fe) || fe.Path != SocketPath(dir) {
		t.Fatalf("Login through a link = %v, want a ForeignError", err)
	}
	if n := squatter.Received(); n != 0 {
		t.Errorf("the socket was sent %d bytes", n)
	}
}

// The folder: the runtime folder when it and its ucontact-tray folder are
// the user's alone, the user's cache folder otherwise, always the same
// for the resident and its clients.
func TestDirIsTheUsersOwn(t *testing.T) {
	uid := os.Getuid()
	mkdir := func(t *testing.T, path string, mode os.FileMode) {
		t.Helper()
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		mode    os.FileMode // of the runtime folder
		prepare func(t *testing.T, run string)
		uid     int // whose folder is wanted
		runtime bool
	}{
		{name: "private", mode: 0o700, uid: uid, runtime: true},
		{name: "readable by others", mode: 0o755, uid: uid, runtime: true},
		{name: "writable by others", mode: 0o777, uid: uid},
		{name: "shared, like /tmp", mode: 0o1777, uid: uid},
		{name: "writable by the group", mode: 0o770, uid: uid},
		{name: "another user's", mode: 0o700, uid: uid + 1},
		{name: "ours, with an open ucontact-tray folder", mode: 0o700, uid: uid, prepare: func(t *testing.T, run string) {
			mkdir(t, filepath.Join(run, "ucontact-tray"), 0o777)
		}},
		{name: "ours, with a private ucontact-tray folder", mode: 0o700, uid: uid, runtime: true, prepare: func(t *testing.T, run string) {
			mkdir(t, filepath.Join(run, "ucontact-tray"), 0o700)
		}},
		{name: "ours, with a link for a ucontact-tray folder", mode: 0o700, uid: uid, prepare: func(t *testing.T, run string) {
			if err := os.Symlink(t.TempDir(), filepath.Join(run, "ucontact-tray")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, cache := filepath.Join(t.TempDir(), "run"), t.TempDir()
			mkdir(t, run, 0o700)
			if tc.prepare != nil {
				tc.prepare(t, run)
			}
			if err := os.Chmod(run, tc.mode); err != nil {
				t.Fatal(err)
			}
			getenv := func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": run}[k] }
			got, err := chooseDir(getenv, func() (string, error) { return cache, nil }, tc.uid)
			want := filepath.Join(cache, "ucontact-tray")
			if tc.runtime {
				want = filepath.Join(run, "ucontact-tray")
			}
			if err != nil || got != want {
				t.Errorf("chooseDir = %q, %v; want %q", got, err, want)
			}
		})
	}
	t.Run("no runtime folder", func(t *testing.T) {
		cache := t.TempDir()
		got, err := chooseDir(func(string) string { return "" }, func() (string, error) { return cache, nil }, uid)
		if want := filepath.Join(cache, "ucontact-tray"); err != nil || got != want {
			t.Errorf("chooseDir = %q, %v; want %q", got, err, want)
		}
	})
	t.Run("a cache folder of another user's", func(t *testing.T) {
		cache := t.TempDir()
		mkdir(t, filepath.Join(cache, "ucontact-tray"), 0o700)
		_, err := chooseDir(func(string) string { return "" }, func() (string, error) { return cache, nil }, uid+1)
		checkForeign(t, err, filepath.Join(cache, "ucontact-tray"), "uid "+strconv.Itoa(uid))
	})
	t.Run("a link for a cache folder", func(t *testing.T) {
		cache := t.TempDir()
		if err := os.Symlink(t.TempDir(), filepath.Join(cache, "ucontact-tray")); err != nil {
			t.Fatal(err)
		}
		if dir, err := chooseDir(func(string) string { return "" }, func() (string, error) { return cache, nil }, uid); err == nil {
			t.Errorf("chooseDir = %q, want an error", dir)
		}
	})
}

// A folder of another user's is neither used nor changed.
func TestListenNeverTakesAnotherUsersFolder(t *testing.T) {
	needRoot(t)
	dir := shortDir(t)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	l, err := Listen(dir)
	if err == nil {
		l.Close()
	}
	checkForeign(t, err, dir, fmt.Sprintf("uid %d", nobody))
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o777 {
		t.Errorf("the folder's mode became %v (%v)", fi.Mode().Perm(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "resident.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a lock file was made in it: %v", err)
	}
}

// Another user, for real: a process running as nobody makes the socket
// first, in a runtime folder of its own. The commands and the resident
// choose another folder; a client told to use that socket anyway sends
// nothing to it, whether its file says whose it is or not.
func TestAnotherUsersSocket(t *testing.T) {
	needRoot(t)
	exe := copyTestBinary(t)
	run := shortDir(t) // the runtime folder, the other user's
	if err := os.Chmod(filepath.Dir(run), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(run, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(run, 0o777); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(run, "ucontact-tray")
	squatter := startChild(t, exe, "foreign", dir, func(cmd *exec.Cmd) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	})
	squatter.expect("listening")
	if err := os.Chown(run, nobody, nobody); err != nil {
		t.Fatal(err)
	}

	cache := t.TempDir()
	getenv := func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": run}[k] }
	if got, err := chooseDir(getenv, func() (string, error) { return cache, nil }, os.Getuid()); err != nil || got != filepath.Join(cache, "ucontact-tray") {
		t.Errorf("the folder chosen is %q (%v), not the cache folder", got, err)
	}

	path := SocketPath(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	login := LoginRequest{Server: "https://acme.ucontactcloud.com", User: "ana", Password: secretPassword}
	_, err := NewClient(path).Login(ctx, login)
	checkForeign(t, err, path, fmt.Sprintf("uid %d", nobody))

	// The file made ours: the process listening is still nobody's.
	if err := os.Lchown(path, os.Getuid(), os.Getgid()); err != nil {
		t.Fatal(err)
	}
	_, err = NewClient(path).Login(ctx, login)
	checkForeign(t, err, path, fmt.Sprintf("uid %d", nobody))

	squatter.in.Close()
	if got := squatter.expect("received"); got != "received 0" {
		t.Errorf("the other user's socket says %q, want %q", got, "received 0")
	}
}

// copyTestBinary copies this test binary where another user can run it:
// the build's own folder is root's alone.
func copyTestBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "uctbin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	exe := filepath.Join(dir, "control.test")
	out, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// foreignListener is the other user's program: it makes the socket in
// dir, open to anyone, and counts what it is sent until its input ends.
func foreignListener(dir string) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	path := SocketPath(dir)
	l, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	if err := os.Chmod(path, 0o777); err != nil {
		return err
	}
	counter := testenv.CountBytes(l)
	fmt.Println("listening")
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // until the test is done
	fmt.Printf("received %d\n", counter.Received())
	return nil
}
