// Package filelock holds files with an exclusive lock that the OS drops when
// the process dies, however it dies: a lock that is free means its holder
// is gone.
package filelock

import (
	"errors"
	"os"
)

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("file is locked by another process")

// Create makes a new file at path (it must not exist), readable by the
// user only with perm, and locks it before anyone can see it unlocked for
// more than an instant. On Windows the file can be removed while open, as
// on Unix.
func Create(path string, perm os.FileMode) (*os.File, error) {
	f, err := create(path, perm)
	if err != nil {
		return nil, err
	}
	if err := TryLock(f); err != nil {
		f.Close()
		os.Remove(path) //nolint:errcheck // ours, just made
		return nil, err
	}
	return f, nil
}

// Open opens an existing file for reading, to TryLock it. As with Create,
// the file can be removed while it is open.
func Open(path string) (*os.File, error) { return open(path) }

// TryLock takes an exclusive lock on f without waiting, or fails with
// ErrLocked.
func TryLock(f *os.File) error { return tryLock(f) }
