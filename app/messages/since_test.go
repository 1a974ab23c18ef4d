package messages

import (
	"testing"
	"time"

	"ucontact-tray/internal/i18n"
)

func TestSince(t *testing.T) {
	es, en := i18n.MustNew(i18n.Spanish), i18n.MustNew(i18n.English)
	now := time.Date(2026, 12, 3, 17, 45, 0, 0, time.Local)
	for _, tc := range []struct {
		c    *i18n.Catalog
		at   time.Time
		want string
	}{
		{es, time.Date(2026, 12, 3, 9, 5, 0, 0, time.Local), "desde las 09:05"},
		{es, time.Date(2026, 12, 3, 1, 30, 0, 0, time.Local), "desde la 01:30"},
		{es, time.Date(2026, 12, 3, 0, 10, 0, 0, time.Local), "desde las 00:10"},
		{es, time.Date(2026, 12, 3, 23, 59, 0, 0, time.Local), "desde las 23:59"}, // later today: a clock set back
		{es, time.Date(2026, 12, 2, 23, 40, 0, 0, time.Local), "desde el 02/12/2026 a las 23:40"},
		{es, time.Date(2026, 12, 2, 1, 0, 0, 0, time.Local), "desde el 02/12/2026 a la 01:00"},
		{es, time.Date(2025, 12, 3, 9, 5, 0, 0, time.Local), "desde el 03/12/2025 a las 09:05"}, // the same day of another year
		{en, time.Date(2026, 12, 3, 9, 5, 0, 0, time.Local), "since 09:05"},
		{en, time.Date(2026, 12, 3, 1, 30, 0, 0, time.Local), "since 01:30"},
		{en, time.Date(2026, 12, 2, 23, 40, 0, 0, time.Local), "since 2 Dec 2026, 23:40"},
	} {
		if got := Since(tc.c, tc.at, now); got != tc.want {
			t.Errorf("Since(%s, %v) = %q, want %q", tc.c.Lang(), tc.at, got, tc.want)
		}
	}
	// The same instant in UTC: written in local time all the same.
	at := time.Date(2026, 12, 3, 9, 5, 0, 0, time.Local)
	if got, want := Since(es, at.UTC(), now), "desde las 09:05"; got != want {
		t.Errorf("Since of a UTC time = %q, want %q", got, want)
	}
}
