// Command ucontact-tray-window is the login and session window of
// ucontact-tray. The tray app (the resident, `ucontact-tray`) starts it when
// a window is needed; it is a binary of its own so that the resident, which
// runs all day, never links Fyne: Fyne's package initialisation alone would
// add about 1.5 MB of heap and 8 ms of start to every agent's desk.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"

	"github.com/jezek/xgb"

	"ucontact-tray/app/control"
	"ucontact-tray/app/window"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/logfile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.UserCacheDir, os.Stderr))
}

// run shows the window and returns the process's exit code. cacheDir is
// the user's cache folder, where the log file and the crash file go.
func run(args []string, getenv func(string) string, cacheDir func() (string, error), stderr io.Writer) int {
	// The window's stderr is the tray app's, which has no terminal when it
	// starts with the session: a crash is written to a file in the log
	// folder too, from the very start.
	cache, _ := cacheDir() // without one, stderr alone
	_, crashErr := logfile.CrashOutput(cache, logfile.WindowCrash)
	msg := i18n.MustNew(i18n.Detect(getenv))
	if len(args) > 0 {
		// The resident passes nothing; a person who runs this by hand
		// wants the tray app instead.
		fmt.Fprintln(stderr, msg.T("window.by_hand"))
		return 2
	}
	if runtime.GOOS == "linux" && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		// GLFW would panic; say it plainly instead.
		fmt.Fprintln(stderr, msg.T("window.no_display"))
		return 1
	}
	dir, err := control.DirFor(getenv, cacheDir)
	if err != nil {
		fmt.Fprintln(stderr, msg.T("window.no_resident"))
		return 1
	}
	// A file of its own, next to the tray app's (see internal/logfile), and
	// stderr, which is the tray app's.
	log, _, closeLog := logfile.Logger(cache, logfile.Window, stderr)
	defer closeLog()
	if crashErr != nil {
		log.Warn("a crash would not be kept in the log folder", "err", crashErr)
	}
	// The X library the window moves itself with writes to stderr of its
	// own accord, e.g. that the desk has no ~/.Xauthority, which is common
	// and harmless: into the log's debug level instead, which is not kept.
	xgb.Logger = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	window.Run(control.NewClient(control.SocketPath(dir)), msg, log)
	return 0
}
