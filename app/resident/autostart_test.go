package resident

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/autostart"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// fakeAutostart is an autostart entry kept in memory; allUsers is the
// administrator's entry for every user, which Enable and Disable leave to
// them, as internal/autostart does on Windows.
type fakeAutostart struct {
	user, allUsers bool
	calls          []string
}

func (f *fakeAutostart) Enable() error {
	f.calls = append(f.calls, "enable")
	f.user = !f.allUsers
	return nil
}

func (f *fakeAutostart) Disable() error {
	f.calls = append(f.calls, "disable")
	f.user = false
	if f.allUsers {
		return fmt.Errorf("HKLM: %w", autostart.ErrForAllUsers)
	}
	return nil
}

func (f *fakeAutostart) IsEnabled() (bool, error)   { return f.user || f.allUsers, nil }
func (f *fakeAutostart) ForAllUsers() (bool, error) { return f.allUsers, nil }

func newAutostartResident(t *testing.T, a *fakeAutostart, presets settings.Presets) *Resident {
	t.Helper()
	return &Resident{cfg: Config{
		StateDir: t.TempDir(), Autostart: a, Presets: presets,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
}

// With the administrator's entry for every user, turning autostart off is
// refused as locked, in words the window has for it, and the user's own
// entry that would start the app a second time goes at the next start.
func TestAutostartForAllUsers(t *testing.T) {
	a := &fakeAutostart{user: true, allUsers: true}
	r := newAutostartResident(t, a, settings.Presets{})
	r.applyLockedAutostart(context.Background())
	if a.user || !slices.Equal(a.calls, []string{"enable"}) {
		t.Errorf("at start: user entry %v, calls %v; want it gone", a.user, a.calls)
	}
	if !r.autostartForAllUsers() {
		t.Error("autostartForAllUsers = false")
	}
	if on := r.autostartState(settings.Merge(r.cfg.Presets, settings.Settings{})); on == nil || !*on {
		t.Errorf("autostartState = %v, want on", on)
	}
	off := false
	err := r.ChangeSettings(context.Background(), control.SettingsRequest{Autostart: &off})
	var locked *settings.LockedError
	if !errors.As(err, &locked) || locked.Setting != settings.KeyAutostart || locked.Value != settings.AllUsers {
		t.Fatalf("turning it off = %v, want a LockedError for all users", err)
	}
	if code := session.ErrorCode(err); code != "locked:autostart:all-users" {
		t.Errorf("ErrorCode = %q", code)
	}
	if s, _ := settings.Load(r.cfg.StateDir); s.Autostart != nil {
		t.Errorf("the refused choice was saved: %v", *s.Autostart)
	}
}

// Without it, nothing changes: the user's choice is applied.
func TestAutostartForOneUser(t *testing.T) {
	a := &fakeAutostart{user: true}
	r := newAutostartResident(t, a, settings.Presets{})
	r.applyLockedAutostart(context.Background())
	if !a.user || len(a.calls) != 0 || r.autostartForAllUsers() {
		t.Errorf("at start: user entry %v, calls %v", a.user, a.calls)
	}
	off := false
	if err := r.ChangeSettings(context.Background(), control.SettingsRequest{Autostart: &off}); err != nil || a.user {
		t.Errorf("turning it off = %v, entry %v", err, a.user)
	}
}
