//go:build unix

package control

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Dir is the folder of the socket and the instance lock: ucontact-tray in
// the user's runtime folder ($XDG_RUNTIME_DIR), where that folder and the
// ucontact-tray folder in it, if there is one, are the user's and
// writable by no one else; in the user's cache folder otherwise. The
// resident and its clients all ask Dir, so they agree on the choice.
// getenv is os.Getenv, or a test's.
func Dir(getenv func(string) string) (string, error) {
	return DirFor(getenv, os.UserCacheDir)
}

// DirFor is Dir with the user's cache folder given by cacheDir
// (os.UserCacheDir, or a test's).
func DirFor(getenv func(string) string, cacheDir func() (string, error)) (string, error) {
	return chooseDir(getenv, cacheDir, os.Getuid())
}

// chooseDir is Dir for the user uid.
func chooseDir(getenv func(string) string, cacheDir func() (string, error), uid int) (string, error) {
	// A runtime folder others can write to (a shared /tmp, a folder of
	// someone else's) lets them make the socket first and receive what the
	// user's commands send: the user's own cache folder is used instead.
	if run := getenv("XDG_RUNTIME_DIR"); run != "" && privateRuntime(run, uid) {
		return filepath.Join(run, "ucontact-tray"), nil
	}
	cache, err := cacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a folder for the control socket: %w", err)
	}
	dir := filepath.Join(cache, "ucontact-tray")
	if err := checkOwnDirOf(dir, uid); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return dir, nil
}

// privateRuntime reports whether the runtime folder run, and its
// ucontact-tray folder if there is one, belong to uid and no one else can
// write to them.
func privateRuntime(run string, uid int) bool {
	// run itself may be a link: the user's session chose it.
	fi, err := os.Stat(run)
	if err != nil || !fi.IsDir() || !private(fi, uid) {
		return false
	}
	fi, err = os.Lstat(filepath.Join(run, "ucontact-tray"))
	if errors.Is(err, fs.ErrNotExist) {
		return true // the resident makes it, 0700
	}
	return err == nil && fi.IsDir() && private(fi, uid)
}

func private(fi fs.FileInfo, uid int) bool {
	return ownerOf(fi) == uid && fi.Mode().Perm()&0o022 == 0
}

// checkOwnDir fails with a ForeignError unless dir is a folder of this
// user's.
func checkOwnDir(dir string) error { return checkOwnDirOf(dir, os.Getuid()) }

func checkOwnDirOf(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("control socket folder: %w", err)
	}
	if owner := ownerOf(fi); owner != uid {
		return &ForeignError{Path: dir, Owner: uidName(owner)}
	}
	if !fi.IsDir() {
		// A link could lead anywhere, and a file cannot hold the socket.
		return fmt.Errorf("control socket folder %s is not a folder (%v)", dir, fi.Mode().Type())
	}
	return nil
}

// ownerOf is the uid owning fi, or -1 if unknown (never anyone's).
func ownerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

func uidName(uid int) string { return "uid " + strconv.Itoa(uid) }
