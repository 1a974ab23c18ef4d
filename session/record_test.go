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
		&ucontact.CertificateError{Op: "x", Host: "acme.example", Issuer: "Acme CA: Root & 1=2", Problem: ucontact.UnknownAuthority, Err: errors.New("unknown authority")},
		ErrEmptyUser, ErrEmptyPassword, ErrInvalidKind, ErrAlreadyLoggedIn, ErrNotLoggedIn,
		ErrLogoutPending, ErrBusy, ErrTokenLost, ErrStoringSession, ErrClosed, ErrLoginInterrupted,
		fmt.Errorf("%w (session.json): unexpected end of JSON input", errCorruptRecord),
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

// An untrusted certificate keeps its host, issuer and problem across
// processes, whatever characters the issuer's name has; a record written
// when only the host was kept still reads.
func TestCertificateErrorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string
		want ucontact.CertificateError
	}{
		{
			name: "now",
			code: ErrorCode(&ucontact.CertificateError{Host: "uc.example.com", Issuer: "Acme: CA & co=1", Problem: ucontact.WrongHost, Err: errors.New("x")}),
			want: ucontact.CertificateError{Host: "uc.example.com", Issuer: "Acme: CA & co=1", Problem: ucontact.WrongHost},
		},
		{
			name: "older record",
			code: "certificate:uc.example.com",
			want: ucontact.CertificateError{Host: "uc.example.com", Problem: ucontact.UnknownAuthority},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ce *ucontact.CertificateError
			if !errors.As(ErrorFromCode(tc.code, "text"), &ce) {
				t.Fatalf("%q did not come back as a CertificateError", tc.code)
			}
			if ce.Host != tc.want.Host || ce.Issuer != tc.want.Issuer || ce.Problem != tc.want.Problem {
				t.Errorf("%q came back as host %q, issuer %q, problem %q; want %+v", tc.code, ce.Host, ce.Issuer, ce.Problem, tc.want)
			}
		})
	}
}

func TestWarningCodesRoundTrip(t *testing.T) {
	w := errors.Join(
		fmt.Errorf("%w (x): %w", ErrTokenInFile, secrets.ErrUnavailable),
		fmt.Errorf("%w: y", ErrPasswordNotSaved),
		&DamagedRecordError{SetAside: "/p/session.json.damaged", Err: errCorruptRecord},
		fmt.Errorf("%w (/p/session.json): read-only file system", ErrRecordNotRemoved),
	)
	back := WarningFromCodes(WarningCodes(w), w.Error())
	var damaged *DamagedRecordError
	if !errors.Is(back, ErrTokenInFile) || !errors.Is(back, ErrPasswordNotSaved) || errors.Is(back, ErrTokenLost) ||
		!errors.Is(back, ErrRecordNotRemoved) || errors.Is(back, ErrTokenNotDeleted) ||
		!errors.As(back, &damaged) || damaged.SetAside != "/p/session.json.damaged" {
		t.Fatalf("came back as %v", back)
	}
	if WarningFromCodes(nil, "") != nil {
		t.Error("no warning came back as one")
	}
}
