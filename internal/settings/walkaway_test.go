package settings

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, " 0 ": 0, "90s": 90 * time.Second, "15m": 15 * time.Minute, "1h": time.Hour, "1h30m": 90 * time.Minute, "0s": 0,
	} {
		if got, err := ParseLimit(in); err != nil || got != want {
			t.Errorf("ParseLimit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "15", "15 min", "-1m", "1d", "quince"} {
		if got, err := ParseLimit(in); err == nil {
			t.Errorf("ParseLimit(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]Clock{
		"22:00": {22, 0, 0}, "7:05": {7, 5, 0}, "07:05": {7, 5, 0}, "00:00": {}, "23:59:59": {23, 59, 59}, " 22:00 ": {22, 0, 0},
	} {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "22", "24:00", "22:60", "22:0", "22:00:60", "22h", "-1:00", "22:00:00:00", "+2:00", "022:00"} {
		if got, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) = %v, want an error", in, got)
		}
	}
	if s := (Clock{22, 0, 0}).String(); s != "22:00" {
		t.Errorf("String = %q", s)
	}
	if s := (Clock{7, 5, 9}).String(); s != "07:05:09" {
		t.Errorf("String = %q", s)
	}
}

// The next closing time is the same time of day across a change of the
// clocks, both ways.
func TestClockNext(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatalf("time zone data: %v", err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, madrid)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	c := Clock{Hour: 22}
	for now, want := range map[string]string{
		"2025-06-10 12:00:00": "2025-06-10 22:00:00",
		"2025-06-10 22:00:00": "2025-06-11 22:00:00", // at the time: the next day's
		"2025-06-10 23:30:00": "2025-06-11 22:00:00",
		"2025-03-29 22:30:00": "2025-03-30 22:00:00", // the clocks go forward that night
		"2025-10-25 22:30:00": "2025-10-26 22:00:00", // and back
		"2025-12-31 23:00:00": "2026-01-01 22:00:00",
	} {
		got := c.Next(at(now))
		if !got.Equal(at(want)) || got.Location() != madrid {
			t.Errorf("Next(%s) = %v, want %s", now, got, want)
		}
	}
	// 25 hours on the day the clocks go back: still the one 22:00.
	if got, now := c.Next(at("2025-10-25 22:30:00")), at("2025-10-25 22:30:00"); got.Sub(now) != 24*time.Hour+30*time.Minute {
		t.Errorf("across the clocks going back: %v later", got.Sub(now))
	}
}

func TestWalkAway(t *testing.T) {
	w, err := Settings{LockBreak: " Baño ", LogoutWhenLockedAfter: "15m", LogoutWhenIdleAfter: "1h", LogoutAt: "22:00"}.WalkAway()
	want := WalkAway{LockBreak: "Baño", LockedLogout: 15 * time.Minute, IdleLogout: time.Hour, LogoutAt: Clock{Hour: 22}, HasLogoutAt: true}
	if err != nil || !reflect.DeepEqual(w, want) {
		t.Errorf("WalkAway = %+v, %v; want %+v", w, err, want)
	}
	if w, err := (Settings{}).WalkAway(); err != nil || !reflect.DeepEqual(w, WalkAway{}) {
		t.Errorf("nothing set: %+v, %v", w, err)
	}
	// A user's bad values are never: each is named.
	w, err = Settings{LogoutWhenLockedAfter: "soon", LogoutWhenIdleAfter: "10s", LogoutAt: "25:00"}.WalkAway()
	if !reflect.DeepEqual(w, WalkAway{}) || err == nil || !errors.Is(err, ErrIdleTooShort) {
		t.Fatalf("bad values: %+v, %v", w, err)
	}
	for _, key := range walkAwayKeys[1:] {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("%v does not name %s", err, key)
		}
	}
}

// The user's settings.json takes the keys, and one written before them
// still reads.
func TestWalkAwayInTheSettingsFile(t *testing.T) {
	dir := t.TempDir()
	s := Settings{User: "ana", LockBreak: "Almuerzo", LogoutWhenLockedAfter: "0", LogoutAt: "21:30"}
	if err := Save(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got != s {
		t.Errorf("Load = %+v, %v; want %+v", got, err, s)
	}
	var old Settings
	if err := json.Unmarshal([]byte(`{"server":"acme","user":"ana"}`), &old); err != nil || old.LockBreak != "" || old.LogoutAt != "" {
		t.Errorf("an older file: %+v, %v", old, err)
	}
}

// A locked preset wins over the user; an unlocked one yields, even to the
// user's "0" (never).
func TestMergeWalkAway(t *testing.T) {
	p := ParsePresets(file, []byte("lock_break = Baño\nlogout_when_locked_after = 15m\nlogout_when_idle_after = 1h\nlogout_at = 22:00\nlock = lock_break, logout_at\n"))
	user := Settings{LockBreak: "Almuerzo", LogoutWhenLockedAfter: "0", LogoutAt: "23:00"}
	e := Merge(p, user)
	if e.LockBreak != "Baño" || e.LogoutAt != "22:00" || e.LogoutWhenLockedAfter != "0" || e.LogoutWhenIdleAfter != "1h" {
		t.Errorf("Merge = %s", show(e.Settings))
	}
	if !e.Locked.LockBreak || !e.Locked.LogoutAt || e.Locked.LogoutWhenLockedAfter {
		t.Errorf("locks %+v", e.Locked)
	}
}
