package control

import (
	"encoding/json"
	"reflect"
	"testing"

	"ucontact-tray/internal/settings"
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
