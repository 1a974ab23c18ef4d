package settings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The walk-away policy's keys: what the app does when the agent leaves the
// desk. They are kept as written, in the presets and in settings.json
// alike, so that a user's "0" (never) can stand against a preset that is
// not locked; the methods below read them.
var walkAwayKeys = []string{KeyLockBreak, KeyLogoutWhenLockedAfter, KeyLogoutWhenIdleAfter, KeyLogoutAt}

// MinIdleLogout is the shortest logout_when_idle_after: a shorter one
// would cut a user who reads a page, and check the idle time too often.
const MinIdleLogout = time.Minute

// ErrIdleTooShort is a logout_when_idle_after under MinIdleLogout.
var ErrIdleTooShort = fmt.Errorf("less than %v", MinIdleLogout)

// ParseLimit reads how long to wait before a logout: a duration such as
// 90s, 15m, 1h or 1h30m; 0 means never.
func ParseLimit(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 90s, 15m or 1h", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// parseIdleLimit is ParseLimit for logout_when_idle_after, which is never
// under MinIdleLogout unless it is 0.
func parseIdleLimit(s string) (time.Duration, error) {
	d, err := ParseLimit(s)
	if err == nil && d > 0 && d < MinIdleLogout {
		return 0, fmt.Errorf("%q: %w", s, ErrIdleTooShort)
	}
	return d, err
}

// Clock is a time of day, local time.
type Clock struct {
	Hour, Minute, Second int
}

// ParseClock reads a time of day written 22:00 or 22:00:30 (24 hours).
func ParseClock(s string) (Clock, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ":")
	bad := fmt.Errorf("%q is not a time of day such as 22:00", s)
	if len(parts) < 2 || len(parts) > 3 {
		return Clock{}, bad
	}
	var n [3]int
	limits := [3]int{24, 60, 60}
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || strings.ContainsFunc(p, notDigit) || len(p) > 2 || (i > 0 && len(p) != 2) || v >= limits[i] {
			return Clock{}, bad
		}
		n[i] = v
	}
	return Clock{Hour: n[0], Minute: n[1], Second: n[2]}, nil
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func (c Clock) String() string {
	if c.Second != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", c.Hour, c.Minute, c.Second)
	}
	return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute)
}

// Next is the first time after now at this time of day, in now's
// location. Each day is reckoned with time.Date, so a change to or from
// summer time in between moves nothing: 22:00 stays 22:00. A time the
// clocks skip that day (02:30 when they go from 02:00 to 03:00) comes as
// time.Date normalises it, an hour later.
func (c Clock) Next(now time.Time) time.Time {
	y, m, d := now.Date()
	for day := d; ; day++ {
		if t := time.Date(y, m, day, c.Hour, c.Minute, c.Second, 0, now.Location()); t.After(now) {
			return t
		}
	}
}

// WalkAway is the walk-away policy in force, read from the settings.
type WalkAway struct {
	// LockBreak is the break an agent is put on while the screen is
	// locked; "" for none.
	LockBreak string
	// LockedLogout and IdleLogout end the session after the screen has
	// been locked, or the user idle, that long; 0 for never.
	LockedLogout time.Duration
	IdleLogout   time.Duration
	// LogoutAt ends the session every day at that time, if HasLogoutAt.
	LogoutAt    Clock
	HasLogoutAt bool
}

// WalkAway reads the walk-away policy. A value that cannot be read counts
// as not set (never), and the error says which and why: a presets file's
// were reported when it was read, so only the user's own settings.json
// can still hold one.
func (s Settings) WalkAway() (WalkAway, error) {
	w := WalkAway{LockBreak: strings.TrimSpace(s.LockBreak)}
	var errs []error
	if v := s.LogoutWhenLockedAfter; v != "" {
		d, err := ParseLimit(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyLogoutWhenLockedAfter, err))
		}
		w.LockedLogout = d
	}
	if v := s.LogoutWhenIdleAfter; v != "" {
		d, err := parseIdleLimit(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyLogoutWhenIdleAfter, err))
		}
		w.IdleLogout = d
	}
	if v := s.LogoutAt; v != "" {
		c, err := ParseClock(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyLogoutAt, err))
		}
		w.LogoutAt, w.HasLogoutAt = c, err == nil
	}
	return w, errors.Join(errs...)
}

// presetWalkAway sets one of the walk-away keys as a presets file writes
// it, and reports whether key is one of them and value valid for it.
func (s *Settings) presetWalkAway(key, value string) bool {
	var err error
	switch key {
	case KeyLockBreak:
		if value == "" {
			return false
		}
		s.LockBreak = value
	case KeyLogoutWhenLockedAfter:
		if _, err = ParseLimit(value); err == nil {
			s.LogoutWhenLockedAfter = value
		}
	case KeyLogoutWhenIdleAfter:
		if _, err = parseIdleLimit(value); err == nil {
			s.LogoutWhenIdleAfter = value
		}
	case KeyLogoutAt:
		if _, err = ParseClock(value); err == nil {
			s.LogoutAt = value
		}
	default:
		return false
	}
	return err == nil
}

// walkAway is the value of one of the walk-away keys, as written.
func (s Settings) walkAway(key string) string {
	switch key {
	case KeyLockBreak:
		return s.LockBreak
	case KeyLogoutWhenLockedAfter:
		return s.LogoutWhenLockedAfter
	case KeyLogoutWhenIdleAfter:
		return s.LogoutWhenIdleAfter
	case KeyLogoutAt:
		return s.LogoutAt
	}
	return ""
}
