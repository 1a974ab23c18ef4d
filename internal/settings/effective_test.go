package settings

import (
	"errors"
	"reflect"
	"testing"

	"ucontact-tray/session/ucontact"
)

func TestMerge(t *testing.T) {
	yes, no := true, false
	user := Settings{Server: "beta", User: "ana", Kind: "user", Remember: true, LogoutOnSuspend: &yes, Autostart: &no}
	tests := []struct {
		name    string
		presets Presets
		user    Settings
		want    Settings
	}{
		{
			name: "no presets: the user's choices",
			user: user,
			want: user,
		},
		{
			name:    "unlocked presets yield to the user's choices",
			presets: Presets{Values: Settings{Server: "acme", Kind: "agent", LogoutOnSuspend: &no, Autostart: &yes}},
			user:    user,
			want:    user,
		},
		{
			name:    "unlocked presets fill in what the user never chose",
			presets: Presets{Values: Settings{Server: "acme", Kind: "agent", LogoutOnSuspend: &no, Autostart: &yes}},
			user:    Settings{User: "ana"},
			want:    Settings{Server: "acme", User: "ana", Kind: "agent", LogoutOnSuspend: &no, Autostart: &yes},
		},
		{
			name: "locked presets win",
			presets: Presets{
				Values:       Settings{Server: "acme", Kind: "agent", LogoutOnSuspend: &no, Autostart: &yes},
				Locked:       Locks{Server: true, Kind: true, LogoutOnSuspend: true, Autostart: true},
				BreakMotives: []string{"Almuerzo", "Baño"},
			},
			user: user,
			want: Settings{Server: "acme", User: "ana", Kind: "agent", Remember: true, LogoutOnSuspend: &no, Autostart: &yes},
		},
		{
			name: "some locked",
			presets: Presets{
				Values: Settings{Server: "acme", Kind: "agent"},
				Locked: Locks{Server: true},
			},
			user: user,
			want: Settings{Server: "acme", User: "ana", Kind: "user", Remember: true, LogoutOnSuspend: &yes, Autostart: &no},
		},
		{
			name: "nothing anywhere: the defaults",
			want: Settings{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Merge(tt.presets, tt.user)
			if !reflect.DeepEqual(e.Settings, tt.want) {
				t.Errorf("Merge = %s, want %s", show(e.Settings), show(tt.want))
			}
			if e.Locked != tt.presets.Locked {
				t.Errorf("locked %+v, want %+v", e.Locked, tt.presets.Locked)
			}
			if !reflect.DeepEqual(e.BreakMotives, tt.presets.BreakMotives) {
				t.Errorf("break motives %q, want the presets' %q", e.BreakMotives, tt.presets.BreakMotives)
			}
		})
	}
}

func TestConflict(t *testing.T) {
	lockedServer := Effective{Settings: Settings{Server: "acme"}, Locked: Locks{Server: true}}
	lockedAgent := Effective{Settings: Settings{Kind: "agent"}, Locked: Locks{Kind: true}}
	lockedUser := Effective{Settings: Settings{Kind: "user"}, Locked: Locks{Kind: true}}
	unlocked := Effective{Settings: Settings{Server: "acme", Kind: "agent"}}
	tests := []struct {
		name   string
		e      Effective
		server string
		kind   ucontact.Kind
		want   string // the key
	}{
		{"same server", lockedServer, "acme", "user", ""},
		{"same server written otherwise", lockedServer, " https://ACME.ucontactcloud.com/ ", "user", ""},
		{"another server", lockedServer, "beta", "user", KeyServer},
		{"an invalid server", lockedServer, "acme/x", "user", KeyServer},
		{"same kind", lockedAgent, "beta", "agent", ""},
		{"another kind", lockedAgent, "beta", "user", KeyKind},
		{"the default kind", lockedUser, "beta", "", ""},
		{"the default kind, agent locked", lockedAgent, "beta", "", KeyKind},
		{"the kind written otherwise", lockedAgent, "beta", " Agent", ""},
		{"nothing locked", unlocked, "beta", "user", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Conflict(tt.server, tt.kind)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Conflict(%q, %q) = %v, want none", tt.server, tt.kind, err)
				}
				return
			}
			locked, ok := errors.AsType[*LockedError](err)
			if !ok || locked.Setting != tt.want {
				t.Fatalf("Conflict(%q, %q) = %v, want a LockedError of %s", tt.server, tt.kind, err, tt.want)
			}
			wantValue := map[string]string{KeyServer: tt.e.Server, KeyKind: string(tt.e.Kind)}[tt.want]
			if locked.Value != wantValue {
				t.Errorf("Conflict(%q, %q) value %q, want %q", tt.server, tt.kind, locked.Value, wantValue)
			}
		})
	}
}
