package session

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// An error recorded or sent by one process is the same kind of error when
// the next one reads it, so it can be explained in the user's language.
func TestErrorCodesRoundTrip(t *testing.T) {
	for _, err := range []error{
		&ucontact.StatusError{Op: "EndSession", Status: 503},
		&ucontact.NetworkError{Op: "EndSession", Timeout: true, Err: context.DeadlineExceeded},
		&ucontact.NetworkError{Op: "EndSession", Err: errors.New("connection refused")},
		fmt.Errorf("AgentLogoff: %w", ucontact.ErrRefused),
		&ucontact.ProtocolError{Op: "x", Detail: "y"},
		secrets.ErrTimeout,
		fmt.Errorf("%w: no bus", secrets.ErrUnavailable),
		fmt.Errorf("x: %w", ucontact.ErrWrongCredentials),
		fmt.Errorf("%w: x", ucontact.ErrInvalidServer),
		&ucontact.RedirectError{Op: "x", Location: "https://evil.example"},
		&ucontact.CertificateError{Op: "x", Host: "acme.example", Err: errors.New("unknown authority")},
		ErrEmptyUser, ErrEmptyPassword, ErrInvalidKind, ErrAlreadyLoggedIn, ErrNotLoggedIn,
		ErrLogoutPending, ErrBusy, ErrTokenLost, ErrStoringSession, ErrClosed,
		fmt.Errorf("EndSession: %w", ucontact.ErrSessionOver),
		context.Canceled,
		&LockedError{Setting: "server", Value: "https://uc.example.com:8443"},
	} {
		back := ErrorFromCode(ErrorCode(err), err.Error())
		if ErrorCode(back) != ErrorCode(err) || ErrorCode(err) == "" {
			t.Errorf("%v: code %q came back as %q (%T)", err, ErrorCode(err), ErrorCode(back), back)
		}
	}
	if ErrorCode(errors.New("other")) != "" {
		t.Error("an unknown error got a code")
	}
}

func TestWarningCodesRoundTrip(t *testing.T) {
	w := errors.Join(
		fmt.Errorf("%w (x): %w", ErrTokenInFile, secrets.ErrUnavailable),
		fmt.Errorf("%w: y", ErrPasswordNotSaved),
		&DamagedRecordError{SetAside: "/p/session.json.damaged", Err: errCorruptRecord},
	)
	back := WarningFromCodes(WarningCodes(w), w.Error())
	var damaged *DamagedRecordError
	if !errors.Is(back, ErrTokenInFile) || !errors.Is(back, ErrPasswordNotSaved) || errors.Is(back, ErrTokenLost) ||
		!errors.As(back, &damaged) || damaged.SetAside != "/p/session.json.damaged" {
		t.Fatalf("came back as %v", back)
	}
	if WarningFromCodes(nil, "") != nil {
		t.Error("no warning came back as one")
	}
}
