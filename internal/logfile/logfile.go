// Package logfile keeps the app's log for support: a file per kind of
// process in the user's cache folder, rotated by size with lumberjack.
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
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

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
