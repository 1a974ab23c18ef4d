// Package logfile keeps the app's log for support: a file per kind of
// process in the user's cache folder, rotated by size with lumberjack, and
// a file per program for what the Go runtime prints when it crashes.
//
// lumberjack rotates a file by renaming it and creating a new one (not in
// append mode), which is safe for one writing process only. So each kind of
// process writes a file of its own: the tray app (one per user, by its
// instance lock), the window (one at a time, started by the tray app) and
// the commands. Two commands running at the moment one of them rotates
// their file may garble a few of its lines; they never touch the tray
// app's.
package logfile

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	"gopkg.in/natefinch/lumberjack.v2"
)

// The files, one per kind of process.
const (
	TrayApp  = "ucontact-tray.log"
	Window   = "ucontact-tray-window.log"
	Commands = "ucontact-tray-cli.log"
)

// Rotation: a file is set aside (renamed with the time, then compressed)
// when it reaches maxSizeMB; the maxBackups latest, up to maxAgeDays old,
// are kept. At most about 20 MB per kind of process, a few months of a
// working day's lines.
const (
	maxSizeMB  = 5
	maxBackups = 3
	maxAgeDays = 90
)

// Dir is the folder of the log files in the user's cache folder
// (os.UserCacheDir).
func Dir(cacheDir string) string { return filepath.Join(cacheDir, "ucontact-tray") }

// Open returns a writer that appends to the log file name in dir, and
// rotates it. The folder is made, for the user only, if it is not there;
// the file is the user's only too.
func Open(dir, name string) (io.WriteCloser, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log folder: %w", err)
	}
	return &lumberjack.Logger{
		Filename:   filepath.Join(dir, name),
		MaxSize:    maxSizeMB,
		MaxBackups: maxBackups,
		MaxAge:     maxAgeDays,
		Compress:   true,
		LocalTime:  true,
	}, nil
}

// Logger is a process's log: lines of text with their time, to the file
// name in cacheDir's folder (see Dir; none if cacheDir is "") and to
// stderr (if not nil). It never receives a password or a token: tokens
// print as a placeholder whatever the call. path is the file's, "" when
// there is none; closeFile closes it when the process is done. A file that
// cannot be made is reported in the log, which goes on without it.
func Logger(cacheDir, name string, stderr io.Writer) (log *slog.Logger, path string, closeFile func()) {
	var handlers []slog.Handler
	if stderr != nil {
		handlers = append(handlers, slog.NewTextHandler(stderr, nil))
	}
	closeFile = func() {}
	var openErr error
	if cacheDir != "" {
		dir := Dir(cacheDir)
		w, err := Open(dir, name)
		if err == nil {
			handlers = append(handlers, slog.NewTextHandler(w, nil))
			path, closeFile = filepath.Join(dir, name), func() { w.Close() }
		}
		openErr = err
	}
	log = slog.New(slog.NewMultiHandler(handlers...))
	if openErr != nil {
		log.Warn("no log file", "err", openErr)
	}
	return log, path, closeFile
}

// The crash files, one per program: what the Go runtime prints when the
// program crashes (an unhandled panic, a fatal error, the goroutine dump of
// a SIGQUIT), which an app started with the session, with no terminal,
// would otherwise lose. The tray app and the commands share one: they are
// the same program.
const (
	TrayAppCrash = "ucontact-tray-crash.log"
	WindowCrash  = "ucontact-tray-window-crash.log"
)

// maxCrashBytes bounds a crash file: past it at a start, the file is set
// aside (as name + ".old", replacing the one set aside before), so a
// program that crashes at every start keeps its first and latest dumps in
// at most about 2 MB.
const maxCrashBytes = 1 << 20

// CrashOutput makes the Go runtime write a crash of this process to the
// file name in cacheDir's folder (see Dir), as well as to stderr, and
// returns the file's path. The file is appended to and is the user's only;
// only the runtime writes to it, so its modification time is the latest
// crash's. An error leaves the crash to stderr alone: the caller reports
// it and goes on.
func CrashOutput(cacheDir, name string) (path string, err error) {
	if cacheDir == "" {
		return "", errors.New("crash file: no cache folder")
	}
	dir := Dir(cacheDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("crash file: log folder: %w", err)
	}
	path = filepath.Join(dir, name)
	if st, err := os.Stat(path); err == nil && st.Size() > maxCrashBytes {
		// Two processes starting at once may both do this; the worse that
		// can happen is that one renames the other's new, empty file.
		if err := os.Rename(path, path+".old"); err != nil {
			return "", fmt.Errorf("crash file: setting aside: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("crash file: %w", err)
	}
	// SetCrashOutput keeps a duplicate of the descriptor: f is not needed
	// once it returns.
	defer f.Close()
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		return "", fmt.Errorf("crash file: %w", err)
	}
	return path, nil
}
