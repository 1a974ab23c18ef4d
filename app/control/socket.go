package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"ucontact-tray/internal/filelock"
)

// ErrAlreadyRunning means another resident holds the lock: only one tray app
// runs per user.
var ErrAlreadyRunning = errors.New("the tray app is already running")

// ErrForeignSocket means a control socket, or its folder, belongs to
// another user, or could not be shown to be the user's own. Nothing is
// sent to it: a password would go to whoever made it.
var ErrForeignSocket = errors.New("the control socket belongs to another user")

// ForeignError is an ErrForeignSocket with what is known of it. It names
// the socket or folder and its owner, never anything that was to be sent.
type ForeignError struct {
	Path string
	// Owner is who the socket or folder belongs to: "uid 1001" on unix, a
	// SID (and its account, if known) on Windows. Empty when unknown.
	Owner string
	// Err is why the owner is not known, when it is not.
	Err error
}

func (e *ForeignError) Error() string {
	if e.Owner != "" {
		return fmt.Sprintf("control socket %s belongs to another user (%s)", e.Path, e.Owner)
	}
	return fmt.Sprintf("control socket %s could not be verified as this user's: %v", e.Path, e.Err)
}

// Is makes errors.Is(err, ErrForeignSocket) true for every ForeignError.
func (e *ForeignError) Is(target error) bool { return target == ErrForeignSocket }

func (e *ForeignError) Unwrap() error { return e.Err }

// Listener is the resident's end of the control socket, and its claim to
// be the one resident of this user.
type Listener struct {
	net.Listener
	lock *os.File
	path string
}

// Listen takes the instance lock in dir (see Dir) and listens on the
// control socket. It fails with ErrAlreadyRunning when another resident
// holds the lock, and with a ForeignError when dir is not the user's.
func Listen(dir string) (*Listener, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	// The folder keeps other users out. A folder of someone else's is never
	// used, nor changed; one of ours is made private even if it existed
	// before.
	if err := checkOwnDir(dir); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "resident.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("control socket lock: %w", err)
	}
	if err := filelock.TryLock(lock); err != nil {
		lock.Close()
		if errors.Is(err, filelock.ErrLocked) {
			return nil, ErrAlreadyRunning
		}
		return nil, fmt.Errorf("control socket lock: %w", err)
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
