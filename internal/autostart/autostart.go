// Package autostart starts the app when the user logs in to the computer:
// an XDG autostart entry on Linux (and other free desktops), a value under
// the per-user Run key on Windows, a LaunchAgent on macOS. It only ever
// changes or removes an entry it wrote itself.
//
// On Windows an administrator (the installer) may also start the app for
// every user of the computer, with the same value under the machine's Run
// key; the per-user entry then stays away, so that the app is not started
// twice at sign-in.
package autostart

import (
	"errors"
	"fmt"
	"path/filepath"
)

// name names the entry: the .desktop file, the Run value.
const name = "ucontact-tray"

// ErrNotOurs means an entry of the same name exists that this package did
// not write (the administrator's, another program's): it is left alone.
var ErrNotOurs = errors.New("an autostart entry of the same name exists that ucontact-tray did not write")

// ErrForAllUsers means the administrator starts the app for every user of
// the computer: a user cannot turn that off.
var ErrForAllUsers = errors.New("ucontact-tray is started for every user of this computer, as set by the administrator")

// Entry is the app's autostart entry for the current user. Enable, Disable
// and IsEnabled are safe to repeat; they are not safe for concurrent use.
type Entry struct {
	exec string // absolute path of the program to start
	dir  string // where the entry's file goes; unused on Windows
}

// New returns the entry that starts the program at exec (an absolute path).
// configDir is the user's configuration folder (os.UserConfigDir): the entry
// goes to its autostart folder on Linux, to ~/Library/LaunchAgents on
// macOS.
func New(exec, configDir string) (*Entry, error) {
	if !filepath.IsAbs(exec) {
		return nil, fmt.Errorf("autostart: %q is not an absolute path", exec)
	}
	return &Entry{exec: exec, dir: entryDir(configDir)}, nil
}
