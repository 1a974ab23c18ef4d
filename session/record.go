package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"ucontact-tray/internal/atomicfile"
	"ucontact-tray/session/ucontact"
)

// recordFile is the name of the session record in the manager's directory.
const recordFile = "session.json"

// Holder says which kind of process opened a session.
type Holder string

const (
	// HolderResident is the tray app, which watches over the session all day.
	// A record it left behind means it died without ending the session.
	HolderResident Holder = "resident"
	// HolderCommand is a one-shot command (`ucontact-tray login`): its
	// session is meant to outlive it.
	HolderCommand Holder = "command"
)

// record is what is kept on disk about an open session: enough to end it
// after a crash, and nothing secret (the token is in the secret store).
type record struct {
	Server       string     `json:"server"`
	User         string     `json:"user"`
	Kind         Kind       `json:"kind"`
	Since        time.Time  `json:"since"`
	Extension    string     `json:"extension,omitempty"`
	Holder       Holder     `json:"holder"`
	PendingSince *time.Time `json:"pending_since,omitempty"`
	Attempts     int        `json:"attempts,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	// LastFailure classifies LastError (see ErrorCode), so that the next
	// process can describe it in the user's language.
	LastFailure Code `json:"last_failure,omitempty"`
	// Break is the break the agent is on, as the server confirmed it; a
	// record without it (any written before breaks) is no break.
	Break *Break `json:"break,omitempty"`
	// NoBreaks: the server answered that it has no break calls.
	NoBreaks bool `json:"no_breaks,omitempty"`
	// Ended marks the record of a session that was ended but whose file
	// could not be removed (a folder made read-only): it is no session.
	Ended bool `json:"ended,omitempty"`
}

// errCorruptRecord is a record file that cannot be read as one.
var errCorruptRecord = errors.New("session record is damaged")

func recordPath(dir string) string { return filepath.Join(dir, recordFile) }

// loadRecord reads the record; (nil, nil) means there is none.
func loadRecord(dir string) (*record, error) {
	b, err := os.ReadFile(recordPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading session record: %w", err)
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w (%s): %v", errCorruptRecord, recordPath(dir), err)
	}
	if r.Ended {
		removeRecord(dir) //nolint:errcheck // it says what it is until it can go
		return nil, nil
	}
	if r.User == "" || !r.Kind.Valid() {
		return nil, fmt.Errorf("%w (%s): user or kind missing", errCorruptRecord, recordPath(dir))
	}
	if _, err := ucontact.ParseServer(r.Server); err != nil {
		return nil, fmt.Errorf("%w (%s): %w", errCorruptRecord, recordPath(dir), err)
	}
	return &r, nil
}

func saveRecord(dir string, r *record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding session record: %w", err)
	}
	if err := atomicfile.Write(recordPath(dir), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving session record: %w", err)
	}
	return nil
}

func removeRecord(dir string) error {
	err := os.Remove(recordPath(dir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing session record: %w", err)
	}
	return nil
}

// forgetRecord removes the record of a session that has ended. Where the
// file cannot be removed but can still be written, it is marked as ended
// instead, so that nobody takes it for an open session.
func forgetRecord(dir string) error {
	err := removeRecord(dir)
	if err == nil {
		return nil
	}
	if werr := os.WriteFile(recordPath(dir), []byte(`{"ended": true}`+"\n"), 0o600); werr != nil {
		err = errors.Join(err, werr)
	}
	return fmt.Errorf("%w (%s): %w", ErrRecordNotRemoved, recordPath(dir), err)
}
