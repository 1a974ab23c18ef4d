package cli

import (
	"log/slog"

	"ucontact-tray/app/resident"
	"ucontact-tray/internal/autostart"
)

// autostart is the entry that starts the tray app with the system; nil in
// demo mode (the demo is not something to start at every login) or where
// there can be none.
func (c *command) autostart(demo bool) resident.Autostarter {
	if demo {
		return nil
	}
	dir, err := c.ConfigDir()
	if err != nil {
		return nil // cannot be: resident() has stopped on it already
	}
	entry, err := autostart.New(c.Executable, dir)
	if err != nil {
		// Said on stderr only: the log file is the running tray app's, and
		// this may be a second start that hands over to it.
		slog.New(slog.NewTextHandler(c.Stderr, nil)).Warn("no start with the system", "err", err)
		return nil
	}
	return entry
}
