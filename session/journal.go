package session

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"ucontact-tray/internal/filelock"
)

// journalFile holds the session a login just opened, token included, from
// the moment the server's answer is read until the record and the secret
// store both hold it. A crash at any instant in between leaves the journal,
// and the next start ends that session. It is the only file other than the
// documented fallback that ever holds a token, for the few milliseconds a
// keyring takes to store one; its writer holds it locked, so a journal
// whose lock is free was left by a process that died.
const journalFile = "login.journal"

func journalPath(dir string) string { return filepath.Join(dir, journalFile) }

// journal is a login's journal, written and locked.
type journal struct {
	f *os.File
}

// openJournal makes the journal of a login about to be sent, empty and
// locked: the answer then costs it one write.
func openJournal(dir string) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("making the login journal: %w", err)
	}
	// A journal still there is a dead login's that the start did not take
	// (it could not store it elsewhere), or another process's login under
	// way: it is not overwritten, and this login goes on without one.
	f, err := filelock.Create(journalPath(dir), 0o600)
	if err != nil {
		return nil, fmt.Errorf("making the login journal: %w", err)
	}
	return &journal{f: f}, nil
}

// write puts e in the journal in one write: a process killed after it
// returns leaves the journal complete. It is not synced: what it guards
// against is the process dying, and a power cut in those milliseconds
// loses the session as it would without it.
func (j *journal) write(e ending) error {
	if j == nil {
		return nil
	}
	if _, err := j.f.Write([]byte(e.marshal())); err != nil {
		return fmt.Errorf("writing the login journal: %w", err)
	}
	return nil
}

// discard removes the journal: the session is safe elsewhere, or was ended.
// It is removed before it is unlocked, so nobody takes it for a dead one.
func (j *journal) discard() error {
	if j == nil {
		return nil
	}
	err := os.Remove(j.f.Name())
	j.f.Close()
	if err != nil {
		return fmt.Errorf("removing the login journal: %w", err)
	}
	return nil
}

// leave lets go of the journal and leaves it where it is, for the next
// start: the session it holds is still open, and nothing else knows it.
func (j *journal) leave() {
	if j != nil {
		j.f.Close()
	}
}

// deadJournal is a journal whose login died before storing its session.
// Its holder keeps it locked until done with it.
type deadJournal struct {
	journal
	ending ending
}

// takeJournal takes the journal left by a login that died, if any: nil
// when there is none, or when its login is alive. A journal that holds no
// session (its login died before writing it) is removed.
func takeJournal(dir string) (*deadJournal, error) {
	path := journalPath(dir)
	f, err := filelock.Open(path)
	// Windows may refuse to open a file its login is removing.
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the login journal: %w", err)
	}
	if err := filelock.TryLock(f); err != nil {
		f.Close()
		if errors.Is(err, filelock.ErrLocked) {
			return nil, nil // a login under way
		}
		return nil, fmt.Errorf("reading the login journal: %w", err)
	}
	// Its login may have finished, removed it and let go of the lock
	// between the open and the lock: then the path no longer names it.
	opened, ferr := f.Stat()
	named, serr := os.Stat(path)
	if ferr != nil || serr != nil || !os.SameFile(opened, named) {
		f.Close()
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading the login journal: %w", err)
	}
	j := &deadJournal{journal: journal{f: f}}
	j.ending, err = parseEnding(string(b))
	if err != nil {
		// Killed before its one write: there is no session in it.
		return nil, j.discard()
	}
	return j, nil
}
