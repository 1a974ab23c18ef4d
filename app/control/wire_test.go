package control

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// The administrator's locks and the problems of the presets file reach the
// window as the resident sent them.
func TestInfoCarriesPresets(t *testing.T) {
	sent := Info{
		Server: "acme", Kind: "agent",
		Locked: settings.Locks{Server: true, Autostart: true},
		PresetProblems: []settings.Problem{
			{File: "/etc/ucontact-tray/presets.conf", Line: 3, Code: settings.ProblemBadValue, Key: "kind", Value: "boss"},
			{File: "/etc/ucontact-tray/presets.conf", Code: settings.ProblemEncoding},
		},
	}
	for _, info := range []Info{sent, {User: "ana"}} {
		b, err := json.Marshal(Response{Info: &info})
		if err != nil {
			t.Fatal(err)
		}
		var got Response
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.Info == nil || !reflect.DeepEqual(*got.Info, info) {
			t.Errorf("sent %+v\ngot  %+v (%s)", info, got.Info, b)
		}
	}
}

// Scripts read the break from `status --json` by these names: break, with
// motive and since (RFC 3339), absent when not on one, and no_breaks,
// always there.
func TestStatusBreakNames(t *testing.T) {
	since := time.Date(2025, 3, 4, 12, 3, 0, 0, time.UTC)
	on, err := json.Marshal(StatusOf(session.Snapshot{State: session.LoggedIn, Kind: session.KindAgent, Break: &session.Break{Motive: "Almuerzo", Since: since}}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"break":{"motive":"Almuerzo","since":"2025-03-04T12:03:00Z"},"no_breaks":false`; !strings.Contains(string(on), want) {
		t.Errorf("on a break: %s\nlacks %s", on, want)
	}
	off, err := json.Marshal(StatusOf(session.Snapshot{State: session.LoggedIn, Kind: session.KindAgent, NoBreaks: true}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(off), `"break"`) || !strings.Contains(string(off), `"no_breaks":true`) {
		t.Errorf("off a break, on a server without breaks: %s", off)
	}
}
