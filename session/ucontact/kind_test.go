package ucontact

import (
	"errors"
	"testing"
)

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"user": KindUser, " Agent ": KindAgent} {
		if k, err := ParseKind(in); err != nil || k != want {
			t.Errorf("ParseKind(%q) = %v, %v", in, k, err)
		}
	}
	for _, in := range []string{"admin", ""} {
		if _, err := ParseKind(in); !errors.Is(err, ErrInvalidKind) {
			t.Errorf("ParseKind(%q) = %v", in, err)
		}
	}
}
