package cli

import (
	"context"
	"errors"
	"log/slog"
	"runtime"

	"ucontact-tray/app/notify"
	"ucontact-tray/app/resident"
	"ucontact-tray/app/window"
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
		Window:    []string{c.Executable, "window"},
		Demo:      demo,

		CAFile:        ca.file,
		RootCAs:       ca.pool,
		CAFileProblem: caProblem,
	})
	switch {
	case errors.Is(err, resident.ErrAlreadyRunning):
		c.say(c.msg.T("resident.already_running"))
		return ExitOK
	case err != nil:
		return c.report(err, session.Snapshot{})
	}
	return ExitOK
}

// window runs the login window, a client of the resident.
func (c *command) window(args []string) int {
	if code := c.parse(c.flags("window"), args); code >= 0 {
		return code
	}
	if runtime.GOOS == "linux" && c.Getenv("DISPLAY") == "" && c.Getenv("WAYLAND_DISPLAY") == "" {
		// GLFW would panic; say it plainly instead.
		c.fail(c.msg.T("window.no_display"))
		return ExitUnexpected
	}
	dir, err := control.Dir(c.Getenv)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	window.Run(control.NewClient(control.SocketPath(dir)), c.msg, c.logger())
	return ExitOK
}

// logger writes the app's log to standard error. It never receives a
// password or a token: tokens print as a placeholder whatever the call.
func (c *command) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(c.Stderr, nil))
}
