package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
)

// ErrAlreadyRunning means another resident holds the lock: only one tray app
// runs per user.
var ErrAlreadyRunning = errors.New("the tray app is already running")

// Dir is the directory of the socket and the instance lock: the user's
// runtime directory where there is one (Linux), the cache directory
// otherwise. getenv is os.Getenv, or a test's.
func Dir(getenv func(string) string) (string, error) {
	if run := getenv("XDG_RUNTIME_DIR"); run != "" && runtime.GOOS != "windows" {
		return filepath.Join(run, "ucontact-tray"), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a directory for the control socket: %w", err)
	}
	return filepath.Join(cache, "ucontact-tray"), nil
}

// Listener is the resident's end of the control socket, and its claim to
// be the one resident of this user.
type Listener struct {
	net.Listener
	lock *os.File
	path string
}

// Listen takes the instance lock in dir and listens on the control socket.
// It fails with ErrAlreadyRunning when another resident holds the lock.
func Listen(dir string) (*Listener, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	// The directory keeps other users out; make sure it is ours and private
	// even if it existed before.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "resident.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("control socket lock: %w", err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, ErrAlreadyRunning
	}
	path := SocketPath(dir)
	l, err := listen(path)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return &Listener{Listener: l, lock: lock, path: path}, nil
}

// Close stops listening and releases the instance lock.
func (l *Listener) Close() error {
	err := l.Listener.Close()
	cleanUp(l.path)
	l.lock.Close() // closing the file releases the lock
	return err
}
