package settings

import (
	"strings"

	"ucontact-tray/session/ucontact"
)

// Effective are the settings in force, and which of them the administrator
// locked.
type Effective struct {
	Settings
	Locked Locks
	// BreakMotives are the breaks offered in the tray: the presets' alone.
	BreakMotives []string
}

// Merge gives the settings in force: a locked preset wins; then the
// user's own choice; then the administrator's preset; then the default
// (the zero value).
func Merge(p Presets, user Settings) Effective {
	e := Effective{Settings: user, Locked: p.Locked, BreakMotives: p.BreakMotives}
	e.Server = choose(p.Locked.Server, p.Values.Server, user.Server)
	e.Kind = choose(p.Locked.Kind, p.Values.Kind, user.Kind)
	e.LogoutOnSuspend = choose(p.Locked.LogoutOnSuspend, p.Values.LogoutOnSuspend, user.LogoutOnSuspend)
	e.Autostart = choose(p.Locked.Autostart, p.Values.Autostart, user.Autostart)
	e.LockBreak = choose(p.Locked.LockBreak, p.Values.LockBreak, user.LockBreak)
	e.LogoutWhenLockedAfter = choose(p.Locked.LogoutWhenLockedAfter, p.Values.LogoutWhenLockedAfter, user.LogoutWhenLockedAfter)
	e.LogoutWhenIdleAfter = choose(p.Locked.LogoutWhenIdleAfter, p.Values.LogoutWhenIdleAfter, user.LogoutWhenIdleAfter)
	e.LogoutAt = choose(p.Locked.LogoutAt, p.Values.LogoutAt, user.LogoutAt)
	return e
}

func choose[T comparable](locked bool, preset, user T) T {
	var unset T
	if locked || user == unset {
		return preset
	}
	return user
}

// Conflict is the LockedError of the setting (KeyServer or KeyKind) that a
// login on server with kind would go against, with the value it is locked
// to; nil when there is none. An empty kind is the default, a user session.
func (e Effective) Conflict(server string, kind ucontact.Kind) error {
	if e.Locked.Server && !sameServer(server, e.Server) {
		return &LockedError{Setting: KeyServer, Value: e.Server}
	}
	if e.Locked.Kind && kindOrDefault(kind) != kindOrDefault(e.Kind) {
		return &LockedError{Setting: KeyKind, Value: string(kindOrDefault(e.Kind))}
	}
	return nil
}

// sameServer reports whether a and b name the same server: "acme" and
// "https://acme.ucontactcloud.com" do.
func sameServer(a, b string) bool {
	ua, errA := ucontact.ParseServer(a)
	ub, errB := ucontact.ParseServer(b)
	if errA != nil || errB != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return strings.EqualFold(ua.String(), ub.String()) // host names are case-insensitive
}

// kindOrDefault reads kind as ParseKind does, and the empty kind as the
// default; one that is not a kind stays as it is, for the session to refuse.
func kindOrDefault(kind ucontact.Kind) ucontact.Kind {
	if kind == "" {
		return ucontact.KindUser
	}
	if k, err := ucontact.ParseKind(string(kind)); err == nil {
		return k
	}
	return kind
}
