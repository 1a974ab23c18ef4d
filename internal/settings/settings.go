// Package settings keeps the user's choices between runs (the last server,
// user and session kind, to prefill the login window; nothing secret), reads
// the administrator's system-wide presets, merges the two into the
// settings in force, and refuses what goes against a locked one
// (LockedError).
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"ucontact-tray/internal/atomicfile"
	"ucontact-tray/session/ucontact"
)

const fileName = "settings.json"

// Settings are the user's choices.
type Settings struct {
	Server   string        `json:"server,omitempty"`
	User     string        `json:"user,omitempty"`
	Kind     ucontact.Kind `json:"kind,omitempty"`
	Remember bool          `json:"remember,omitempty"`
	// LogoutOnSuspend ends the session when the machine goes to sleep;
	// unset means yes.
	LogoutOnSuspend *bool `json:"logout_on_suspend,omitempty"`
	// Autostart starts the app with the system; unset until the user chose.
	Autostart *bool `json:"autostart,omitempty"`
	// CAFile names a PEM file of extra certificate authorities to trust for
	// the server (an on-premise server with a private CA); a relative path
	// is relative to the settings' folder.
	CAFile string `json:"ca_file,omitempty"`

	// The walk-away policy (see walkaway.go), as written: a break's
	// motive, two durations and a time of day; "" when not chosen.
	LockBreak             string `json:"lock_break,omitempty"`
	LogoutWhenLockedAfter string `json:"logout_when_locked_after,omitempty"`
	LogoutWhenIdleAfter   string `json:"logout_when_idle_after,omitempty"`
	LogoutAt              string `json:"logout_at,omitempty"`
}

// EndOnSuspend reports whether a suspend ends the session (the default).
func (s Settings) EndOnSuspend() bool { return s.LogoutOnSuspend == nil || *s.LogoutOnSuspend }

// Load reads the settings in dir. A missing file gives the zero value. A
// file that cannot be read, or is not settings, gives the zero value and an
// error saying so: settings are the user's conveniences, so the caller
// reports the error and goes on with the defaults. A file that is not
// settings is set aside (see DamagedError), so that it is reported once and
// the next save starts afresh.
func Load(dir string) (Settings, error) {
	path := filepath.Join(dir, fileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("reading settings: %w", err)
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return Settings{}, setAside(path, err)
	}
	return s, nil
}

// DamagedError is a settings file that is not settings (not JSON, or a
// value of the wrong type). Load renames it with ".damaged" added, replacing
// one set aside before, and keeps it for support.
type DamagedError struct {
	Path     string // the settings file
	SetAside string // where it is now; "" if it could not be moved
	Err      error
}

func (e *DamagedError) Error() string {
	if e.SetAside == "" {
		return fmt.Sprintf("settings file %s is damaged: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("settings file %s is damaged, set aside as %s: %v", e.Path, e.SetAside, e.Err)
}

func (e *DamagedError) Unwrap() error { return e.Err }

// setAside moves the damaged file at path out of the way.
func setAside(path string, damage error) error {
	aside := path + ".damaged"
	err := os.Rename(path, aside)
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist):
		// Not there any more: another process found it damaged too, and
		// set it aside first.
		return &DamagedError{Path: path, SetAside: aside, Err: damage}
	default:
		return &DamagedError{Path: path, Err: errors.Join(damage, fmt.Errorf("setting it aside: %w", err))}
	}
}

// Save writes the settings to dir.
func Save(dir string, s Settings) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding settings: %w", err)
	}
	return atomicfile.Write(filepath.Join(dir, fileName), append(b, '\n'), 0o600)
}
