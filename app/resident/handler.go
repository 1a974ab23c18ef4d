package resident

import (
	"context"
	"strings"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// The control.Handler side: what the window and the commands ask of the
// resident over the control socket. Show and Quit are with the window and
// the run.

// Login opens a session for a client, and remembers the choices for the
// next time the window opens.
func (r *Resident) Login(ctx context.Context, req control.LoginRequest) error {
	if err := r.effective().Conflict(req.Server, req.Kind); err != nil {
		return err
	}
	err := r.m.Login(ctx, session.LoginRequest{
		Server: req.Server, User: req.User, Password: req.Password, Kind: req.Kind,
		Remember: req.Remember, UseSavedPassword: req.UseSavedPassword,
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.recovered = nil // a new session: what happened to the last one is old news
	r.mu.Unlock()
	if r.cfg.Demo != nil {
		// The demo must leave the user's own last choices as they were, for
		// the normal app to offer them next time: kept in memory only.
		r.settingsMu.Lock()
		r.demoChoices = &settings.Settings{Server: strings.TrimSpace(req.Server), User: strings.TrimSpace(req.User), Kind: req.Kind, Remember: req.Remember}
		r.settingsMu.Unlock()
		return nil
	}
	// The choices only prefill the next login: saved after the answer.
	r.tasks.Go(func() { r.rememberChoices(req) })
	return nil
}

func (r *Resident) rememberChoices(req control.LoginRequest) {
	err := r.updateSettings(func(s *settings.Settings) error {
		s.Server, s.User, s.Kind, s.Remember = strings.TrimSpace(req.Server), strings.TrimSpace(req.User), req.Kind, req.Remember
		r.autostartByDefault(s)
		return nil
	})
	if err != nil {
		r.cfg.Log.Warn("saving settings", "err", err)
	}
}

// demoPrefill sets the form's choices in demo mode: the demo's last login
// in this run, or else the demo account, never the user's own. What the
// administrator locked stays as locked.
func (r *Resident) demoPrefill(info *control.Info) {
	r.settingsMu.Lock()
	last := r.demoChoices
	r.settingsMu.Unlock()
	choice := settings.Settings{Server: r.cfg.Demo.Server, User: r.cfg.Demo.User}
	if last != nil {
		choice = *last
	}
	if !info.Locked.Server {
		info.Server = choice.Server
	}
	if !info.Locked.Kind {
		info.Kind = choice.Kind
	}
	info.User, info.Remember = choice.User, choice.Remember
}

// CancelLogin gives up the login under way: its client is answered at
// once, and the manager ends what the server may still open.
func (r *Resident) CancelLogin() { r.m.CancelLogin() }

func (r *Resident) Logout(ctx context.Context) error { return r.m.Logout(ctx) }
func (r *Resident) Snapshot() session.Snapshot       { return r.m.Snapshot() }
func (r *Resident) Subscribe() (<-chan session.Snapshot, func()) {
	return r.m.Subscribe()
}

// StartBreak and EndBreak are a command's break: the session manager makes
// the call, and the tray follows the snapshot as for any other change.
func (r *Resident) StartBreak(ctx context.Context, motive string) error {
	return r.m.StartBreak(ctx, motive)
}
func (r *Resident) EndBreak(ctx context.Context) error { return r.m.EndBreak(ctx) }

// Info is what the window needs to prefill its form.
func (r *Resident) Info(ctx context.Context) control.Info {
	s := r.effective()
	info := control.Info{
		Server: s.Server, User: s.User, Kind: s.Kind, Remember: s.Remember,
		Demo: r.cfg.Demo, NoTray: r.trayMissing(), Version: r.cfg.Version, CAFile: r.cfg.CAFile,
		Locked: s.Locked, PresetProblems: r.cfg.Presets.Problems,
		Autostart: r.autostartState(s), LogPath: r.cfg.LogPath,
		Recovered: r.recoveredSession(),
	}
	if r.autostartForAllUsers() {
		on := true
		info.Autostart, info.AutostartForAllUsers, info.Locked.Autostart = &on, true, true
	}
	if r.cfg.Demo != nil {
		r.demoPrefill(&info)
	}
	kctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.m.CheckKeyring(kctx); err != nil {
		info.KeyringError = session.ErrorCode(err)
	} else if info.Server != "" && info.User != "" {
		info.SavedPassword = r.m.HasSavedPassword(kctx, info.Server, info.User, info.Kind)
	}
	return info
}
