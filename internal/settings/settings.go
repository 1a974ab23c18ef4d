// Package settings keeps the user's choices between runs (the last server,
// user and session kind, to prefill the login window; nothing secret), reads
// the administrator's system-wide presets, and merges the two into the
// settings in force.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"ucontact-tray/internal/atomicfile"
)

const fileName = "settings.json"

// Settings are the user's choices.
type Settings struct {
	Server   string `json:"server,omitempty"`
	User     string `json:"user,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Remember bool   `json:"remember,omitempty"`
	// LogoutOnSuspend ends the session when the machine goes to sleep;
	// unset means yes.
	LogoutOnSuspend *bool `json:"logout_on_suspend,omitempty"`
	// Autostart starts the app with the system; unset until the user chose.
	Autostart *bool `json:"autostart,omitempty"`
	// CAFile names a PEM file of extra certificate authorities to trust for
	// the server (an on-premise server with a private CA); a relative path
	// is relative to the settings' folder.
	CAFile string `json:"ca_file,omitempty"`
}

// EndOnSuspend reports whether a suspend ends the session (the default).
func (s Settings) EndOnSuspend() bool { return s.LogoutOnSuspend == nil || *s.LogoutOnSuspend }

// Load reads the settings in dir. A missing file gives the zero value; a
// damaged one gives the zero value and an error saying so, so the app can
// start anyway and tell the user.
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
		return Settings{}, fmt.Errorf("settings file %s is damaged: %w", path, err)
	}
	return s, nil
}

// Save writes the settings to dir.
func Save(dir string, s Settings) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding settings: %w", err)
	}
	return atomicfile.Write(filepath.Join(dir, fileName), append(b, '\n'), 0o600)
}
