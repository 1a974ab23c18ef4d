package messages

import (
	"time"

	"ucontact-tray/internal/i18n"
)

// Since says when something began (a session, a break, a pending logout)
// as every part of the app writes it: the time of day when it began today,
// as now sees it ("desde las 09:05"), and the date too when it began on
// another day ("desde el 02/12/2026 a las 23:40"). Both are the local time.
func Since(c *i18n.Catalog, t, now time.Time) string {
	t, now = t.Local(), now.Local()
	clock := t.Format("15:04")
	// Spanish says "la una" but "las dos": the article follows the hour.
	suffix := ""
	if t.Hour() == 1 {
		suffix = "_one"
	}
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return c.T("time.since_today"+suffix, "Time", clock)
	}
	return c.T("time.since_day"+suffix, "Date", t.Format(dateLayout(c)), "Time", clock)
}

// dateLayout is how a date is written in c's language: day first in
// Spanish, with the month's short English name in English, so that
// neither reads as the other's order.
func dateLayout(c *i18n.Catalog) string {
	if c.Lang() == i18n.English {
		return "2 Jan 2006"
	}
	return "02/01/2006"
}
