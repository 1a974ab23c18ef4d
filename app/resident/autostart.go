package resident

import (
	"context"
	"errors"
	"fmt"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/autostart"
	"ucontact-tray/internal/settings"
)

// Autostarter starts the app with the system (internal/autostart.Entry).
type Autostarter interface {
	Enable() error
	Disable() error
	IsEnabled() (bool, error)
	// ForAllUsers reports whether the administrator starts the app for
	// every user of the computer; Enable then adds no entry of the user's
	// own, and Disable fails with autostart.ErrForAllUsers.
	ForAllUsers() (bool, error)
}

// errNoAutostart is a request to start with the system where the resident
// cannot arrange it (demo mode); the window does not offer it then.
var errNoAutostart = errors.New("starting with the system is not available")

// updateSettings changes the user's settings file. Changes are made one at
// a time, so none is lost; change may also touch the autostart entry, which
// is guarded the same way. If change fails, nothing is saved.
func (r *Resident) updateSettings(change func(*settings.Settings) error) error {
	r.settingsMu.Lock()
	defer r.settingsMu.Unlock()
	s := r.userSettings()
	if err := change(&s); err != nil {
		return err
	}
	if err := settings.Save(r.cfg.StateDir, s); err != nil {
		return fmt.Errorf("saving settings: %w", err)
	}
	return nil
}

// ChangeSettings applies what the user changed in the window.
func (r *Resident) ChangeSettings(_ context.Context, req control.SettingsRequest) error {
	if req.Autostart == nil {
		return nil
	}
	on := *req.Autostart
	if r.cfg.Autostart == nil {
		return errNoAutostart
	}
	err := r.updateSettings(func(s *settings.Settings) error {
		if settings.Merge(r.cfg.Presets, *s).Locked.Autostart {
			return &settings.LockedError{Setting: settings.KeyAutostart}
		}
		if err := r.setAutostart(on); errors.Is(err, autostart.ErrForAllUsers) {
			return &settings.LockedError{Setting: settings.KeyAutostart, Value: settings.AllUsers}
		} else if err != nil {
			return err
		}
		s.Autostart = &on
		return nil
	})
	if err != nil {
		return err
	}
	r.cfg.Log.Info("start with the system", "on", on)
	return nil
}

// autostartByDefault turns starting with the system on after the first
// successful login, unless the user or the administrator has decided: it
// is what an agent's desk needs, and a user who turned it off is never
// overruled. It is called within updateSettings.
func (r *Resident) autostartByDefault(s *settings.Settings) {
	if r.cfg.Autostart == nil || s.Autostart != nil {
		return
	}
	if e := settings.Merge(r.cfg.Presets, *s); e.Locked.Autostart || (e.Autostart != nil && !*e.Autostart) {
		return
	}
	if err := r.cfg.Autostart.Enable(); err != nil {
		r.cfg.Log.Warn("turning on start with the system after the first login; tried again at the next", "err", err)
		return
	}
	on := true
	s.Autostart = &on
	r.cfg.Log.Info("start with the system turned on after the first login")
}

// applyLockedAutostart makes the entry follow the administrator's lock, at
// every start: a locked "yes" survives an entry removed by hand or a
// program moved by an upgrade. When the administrator starts the app for
// every user, it removes the user's own entry, which would start it a
// second time at sign-in. A resident that stops first leaves it to the
// next start.
func (r *Resident) applyLockedAutostart(ctx context.Context) {
	if r.cfg.Autostart == nil {
		return
	}
	r.settingsMu.Lock()
	defer r.settingsMu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if all, err := r.cfg.Autostart.ForAllUsers(); err != nil {
		r.cfg.Log.Warn("reading the all-users autostart entry", "err", err)
	} else if all {
		if err := r.cfg.Autostart.Enable(); err != nil {
			r.cfg.Log.Warn("removing the user's autostart entry, the administrator's starts the app for every user", "err", err)
		}
		return
	}
	e := r.effective()
	if !e.Locked.Autostart {
		return
	}
	if err := r.setAutostart(*e.Autostart); err != nil {
		r.cfg.Log.Warn("applying the administrator's autostart setting", "err", err)
	}
}

// autostartForAllUsers reports whether the administrator starts the app
// for every user of the computer.
func (r *Resident) autostartForAllUsers() bool {
	if r.cfg.Autostart == nil {
		return false
	}
	r.settingsMu.Lock()
	all, err := r.cfg.Autostart.ForAllUsers()
	r.settingsMu.Unlock()
	if err != nil {
		r.cfg.Log.Warn("reading the all-users autostart entry", "err", err)
	}
	return all
}

// autostartState is what the window's checkbox shows: whether the app
// starts with the system, or will after the first login; nil when it
// cannot.
func (r *Resident) autostartState(e settings.Effective) *bool {
	if r.cfg.Autostart == nil {
		return nil
	}
	on := true // the first login turns it on
	if e.Autostart != nil {
		r.settingsMu.Lock()
		enabled, err := r.cfg.Autostart.IsEnabled()
		r.settingsMu.Unlock()
		if err != nil {
			r.cfg.Log.Warn("reading the autostart entry", "err", err)
			enabled = *e.Autostart
		}
		on = enabled
	}
	return &on
}

func (r *Resident) setAutostart(on bool) error {
	if on {
		return r.cfg.Autostart.Enable()
	}
	return r.cfg.Autostart.Disable()
}

// effective are the settings in force: the user's, under the
// administrator's presets.
func (r *Resident) effective() settings.Effective {
	return settings.Merge(r.cfg.Presets, r.userSettings())
}

// userSettings reads the user's settings; ones that cannot be read are the
// defaults. The file was read at start, and a damaged one reported then
// (see reportSettings): one damaged since is set aside and logged.
func (r *Resident) userSettings() settings.Settings {
	s, err := settings.Load(r.cfg.StateDir)
	if err != nil {
		r.cfg.Log.Warn("settings not read; using the defaults", "err", err)
	}
	return s
}
