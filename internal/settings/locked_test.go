package settings

import (
	"strings"
	"testing"
)

// A LockedError crosses processes as its code, in the format records and
// sockets of earlier versions have, and reads back the same.
func TestLockedErrorCode(t *testing.T) {
	for _, tc := range []struct {
		err  LockedError
		code string
	}{
		{LockedError{Setting: KeyServer, Value: "https://uc.example.com:8443"}, "locked:server:https://uc.example.com:8443"},
		{LockedError{Setting: KeyKind, Value: "agent"}, "locked:kind:agent"},
		{LockedError{Setting: KeyAutostart}, "locked:autostart:"},
		{LockedError{Setting: KeyAutostart, Value: AllUsers}, "locked:autostart:all-users"},
	} {
		if got := tc.err.ErrorCode(); got != tc.code {
			t.Errorf("%+v: code %q, want %q", tc.err, got, tc.code)
		}
		_, arg, _ := strings.Cut(tc.code, ":")
		if back := LockedFromArg(arg); *back != tc.err {
			t.Errorf("%q came back as %+v", tc.code, back)
		}
	}
}
