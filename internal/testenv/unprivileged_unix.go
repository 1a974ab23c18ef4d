//go:build unix

package testenv

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user an unprivileged test runs as when the tests run as
// root, as they do in CI.
const nobody = 65534

// Unprivileged makes the rest of the running test run as a user that file
// permissions apply to: root ignores them (a read-only folder is writable
// to it). Run as root, it runs the test again as nobody, in a copy of the
// test binary, reports the outcome and returns false: the caller returns
// at once. Otherwise it returns true, and the test goes on.
func Unprivileged(t *testing.T) bool {
	t.Helper()
	if os.Getuid() != 0 {
		return true
	}
	dir, err := os.MkdirTemp("", "uct-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{dir, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, filepath.Base(os.Args[0]))
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^"+t.Name()+"$", "-test.v")
	cmd.Dir = tmp
	cmd.Env = []string{"HOME=" + dir, "TMPDIR=" + tmp, "PATH=" + os.Getenv("PATH"), "CI=" + os.Getenv("CI"), RunMark()}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	r := Run(t, 0, cmd, "")
	if r.Code != 0 || !strings.Contains(r.Stdout, "--- PASS: "+t.Name()) {
		t.Errorf("as user %d: exit %d\n%s%s", nobody, r.Code, r.Stdout, r.Stderr)
	} else {
		t.Logf("passed as user %d", nobody)
	}
	return false
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
