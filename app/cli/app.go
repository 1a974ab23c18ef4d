package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/app/notify"
	"ucontact-tray/app/resident"
	"ucontact-tray/internal/logfile"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// resident runs the tray app. caFile is the --ca-file given, if any; demo
// is set in demo mode.
func (c *command) resident(ctx context.Context, caFile string, demo *control.DemoAccount) int {
	stateDir, err := c.stateDir()
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	socketDir, err := c.socketDir()
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	// Settings that cannot be read never stop the tray app: it may have a
	// session to end. It starts with the defaults, and says so.
	userSettings, unread := settings.Load(stateDir)
	ca, caProblem, err := residentTrust(caFile, stateDir, userSettings)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	log, logPath, closeLog := c.logger(logfile.TrayApp, c.Stderr)
	defer closeLog()
	// The tray's library reports through the standard logger: into this
	// log too, in its format and its file, for support.
	slog.SetDefault(log)
	if c.CrashErr != nil {
		log.Warn("a crash would not be kept in the log folder", "err", c.CrashErr)
	}
	err = resident.Run(ctx, resident.Config{
		StateDir:  stateDir,
		SocketDir: socketDir,
		Keyring:   c.Keyring,
		Version:   c.Version,
		Msg:       c.msg,
		Log:       log,
		LogPath:   logPath,
		Notifier:  notify.Desktop{AppName: "ucontact-tray"},
		Window:    windowProgram(c.Executable),
		Demo:      demo,
		Presets:   settings.LoadPresets(c.systemDir()),
		Autostart: c.autostart(demo != nil),

		CAFile:          ca.file,
		RootCAs:         ca.pool,
		CAFileProblem:   caProblem,
		SettingsProblem: unread,
	})
	var windowErr *resident.WindowError
	switch {
	case errors.Is(err, resident.ErrAlreadyRunning):
		if unread != nil {
			// Set aside by this start, so the running app will not see it.
			c.fail(messages.SettingsProblem(c.msg, unread))
		}
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

// logger is this process's log: to its file (one per kind of process, see
// logfile) in the user's cache folder, if there is one, and to stderr if
// not nil.
func (c *command) logger(file string, stderr io.Writer) (log *slog.Logger, path string, closeFile func()) {
	return logfile.Logger(c.cacheDir(), file, stderr)
}

// trayAppLog is the tray app's log file, the one support asks for; "" when
// there is no cache folder. The window's and the commands' are next to it.
func (c *command) trayAppLog() string {
	dir := c.cacheDir()
	if dir == "" {
		return ""
	}
	return filepath.Join(logfile.Dir(dir), logfile.TrayApp)
}

// cacheDir is the user's cache folder, where the log files go; "" when
// there is none (no HOME): the log then goes on without a file.
func (c *command) cacheDir() string {
	if c.CacheDir == nil {
		return ""
	}
	dir, err := c.CacheDir()
	if err != nil {
		return ""
	}
	return dir
}
