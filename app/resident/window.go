package resident

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

// Show starts the window process, or brings the running one to the front.
func (r *Resident) Show() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx.Err() != nil {
		return nil // stopping: a window started now would outlive the resident
	}
	if r.window != nil {
		r.cfg.Log.Info("window raised", "watching", r.server.Raise())
		return nil
	}
	w, err := r.desk.startWindow(r.cfg.Window)
	if err != nil {
		return &WindowError{Path: r.cfg.Window, Err: err}
	}
	r.cfg.Log.Info("window started", "pid", w.pid())
	done := make(chan struct{})
	r.window, r.windowDone = w, done
	// Never refused here: tasks are refused only once the resident has
	// stopped, and Show then returned above.
	r.tasks.Go(func() { r.waitWindow(w, done) })
	return nil
}

// WindowError means the window program could not be started: most often
// it is missing from an incomplete installation.
type WindowError struct {
	Path string
	Err  error
}

func (e *WindowError) Error() string { return fmt.Sprintf("starting the window %s: %v", e.Path, e.Err) }

func (e *WindowError) Unwrap() error { return e.Err }

// showWindow shows the window for the tray, and tells the user when it
// cannot: a click that does nothing would look like a hung app.
func (r *Resident) showWindow(ctx context.Context) {
	err := r.Show()
	if err == nil {
		return
	}
	r.cfg.Log.Error("starting the window", "err", err)
	r.tasks.Go(func() {
		r.notify(ctx, r.cfg.Msg.T("notify.window_title"), r.cfg.Msg.T("window.missing", "Path", r.cfg.Window))
	})
}

// closeWindow makes the window process go (without the resident it can do
// nothing): politely first, then by force if it has not gone in a second
// (a window still starting up can miss the polite request).
func (r *Resident) closeWindow() {
	r.mu.Lock()
	w, done := r.window, r.windowDone
	r.mu.Unlock()
	if w == nil {
		return
	}
	r.cfg.Log.Info("closing the window")
	if err := w.stop(); err != nil {
		r.cfg.Log.Warn("closing the window", "err", err)
	}
	select {
	case <-done:
	case <-time.After(time.Second):
		w.kill() //nolint:errcheck // it may just have ended
		<-done
	}
}

func (r *Resident) waitWindow(w windowProcess, done chan struct{}) {
	err := w.wait()
	r.mu.Lock()
	r.window = nil
	r.mu.Unlock()
	close(done)
	if err != nil {
		// A GL driver crash on a thin client, a kill: the session lives on.
		r.cfg.Log.Warn("window process ended", "err", err)
	} else {
		r.cfg.Log.Info("window closed")
	}
	// Without a tray the window is the only way in: closing it while logged
	// out ends the app, but a session stays protected until it is ended.
	if r.trayMissing() != "" && r.m.Snapshot().State == session.LoggedOut {
		r.stop()
	}
}

// windowProcess is the window program, running.
type windowProcess interface {
	pid() int
	stop() error // asks it to end
	kill() error
	wait() error // waits for it to end
}

// execWindow is the window program as a process of its own.
type execWindow struct{ cmd *exec.Cmd }

// startWindowProcess starts the window program at path, its output going
// to the resident's, with a locale Fyne can read (see i18n.FyneEnv).
func startWindowProcess(path string) (windowProcess, error) {
	cmd := exec.Command(path)
	cmd.Env = i18n.FyneEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return execWindow{cmd}, nil
}

func (w execWindow) pid() int    { return w.cmd.Process.Pid }
func (w execWindow) stop() error { return stopProcess(w.cmd.Process) }
func (w execWindow) kill() error { return w.cmd.Process.Kill() }
func (w execWindow) wait() error { return w.cmd.Wait() }
