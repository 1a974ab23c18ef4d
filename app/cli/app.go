package cli

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"

	"ucontact-tray/app/notify"
	"ucontact-tray/app/resident"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/control"
)

// resident runs the tray app. caFile is the --ca-file given, if any; demo
// is set in demo mode.
func (c *command) resident(ctx context.Context, caFile string, demo *control.DemoAccount) int {
	stateDir, err := c.stateDir()
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	socketDir, err := control.Dir(c.Getenv)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	var windowErr *resident.WindowError
	ca, caProblem, err := c.residentTrust(caFile)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	err = resident.Run(ctx, resident.Config{
		StateDir:  stateDir,
		SocketDir: socketDir,
		Keyring:   c.Keyring,
		Version:   c.Version,
		Msg:       c.msg,
		Log:       c.logger(),
		Notifier:  notify.Desktop{AppName: "ucontact-tray"},
		Window:    windowProgram(c.Executable),
		Demo:      demo,
		Presets:   settings.LoadPresets(c.systemDir()),
		Autostart: c.autostart(demo != nil),

		CAFile:        ca.file,
		RootCAs:       ca.pool,
		CAFileProblem: caProblem,
	})
	switch {
	case errors.Is(err, resident.ErrAlreadyRunning):
		c.say(c.msg.T("resident.already_running"))
		return ExitOK
	case errors.As(err, &windowErr):
		c.fail(c.msg.T("window.missing", "Path", windowErr.Path))
		return ExitUnexpected
	case err != nil:
		return c.report(err, session.Snapshot{})
	}
	return ExitOK
}

// windowProgram is the login window's program: a binary of its own, next
// to this one, so that the resident never links Fyne.
func windowProgram(executable string) string {
	name := "ucontact-tray-window"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(filepath.Dir(executable), name)
}

// logger writes the app's log to standard error. It never receives a
// password or a token: tokens print as a placeholder whatever the call.
func (c *command) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(c.Stderr, nil))
}
