package session

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// ErrorCode classifies err with a short stable code, so that an error can
// cross a process boundary (the session record, the control socket) and be
// rebuilt by ErrorFromCode as the same kind of error, for the receiver to
// explain in the user's language. Unknown errors get "".
func ErrorCode(err error) string {
	var (
		status   *ucontact.StatusError
		network  *ucontact.NetworkError
		protocol *ucontact.ProtocolError
		redirect *ucontact.RedirectError
		cert     *ucontact.CertificateError
		locked   *LockedError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ucontact.ErrWrongCredentials):
		return "wrong-credentials"
	case errors.Is(err, ucontact.ErrInvalidServer):
		return "invalid-server"
	case errors.Is(err, ErrEmptyUser):
		return "empty-user"
	case errors.Is(err, ErrEmptyPassword):
		return "empty-password"
	case errors.Is(err, ErrInvalidKind):
		return "invalid-kind"
	case errors.Is(err, ErrAlreadyLoggedIn):
		return "already-logged-in"
	case errors.Is(err, ErrNotLoggedIn):
		return "not-logged-in"
	case errors.Is(err, ErrLogoutPending):
		return "logout-pending"
	case errors.Is(err, ErrBusy):
		return "busy"
	case errors.Is(err, ErrTokenLost):
		return "token-lost"
	case errors.Is(err, ErrStoringSession):
		return "storing"
	case errors.Is(err, ErrLoginInterrupted):
		return "login-interrupted"
	case errors.Is(err, errCorruptRecord):
		return "damaged-record"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.As(err, &locked):
		return "locked:" + locked.Setting + ":" + locked.Value
	case errors.As(err, &redirect):
		return "redirect:" + redirect.Location
	case errors.As(err, &cert):
		return "certificate:" + certificateArg(cert)
	case errors.As(err, &status):
		return "status:" + strconv.Itoa(status.Status)
	case errors.As(err, &network) && network.Timeout:
		return "timeout"
	case errors.As(err, &network):
		return "unreachable"
	case errors.As(err, &protocol):
		return "protocol"
	case errors.Is(err, ucontact.ErrRefused):
		return "refused"
	case errors.Is(err, ucontact.ErrSessionOver):
		return "session-over"
	case errors.Is(err, secrets.ErrTimeout):
		return "keyring-timeout"
	case errors.Is(err, secrets.ErrUnavailable):
		return "keyring"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return ""
}

// ErrorFromCode rebuilds an error of the kind ErrorCode saw, around the text
// the original error had.
func ErrorFromCode(code, text string) error {
	cause := errors.New(text)
	kind, arg, _ := strings.Cut(code, ":")
	if sentinel, ok := codeSentinels[kind]; ok {
		return fmt.Errorf("%w: %w", sentinel, cause)
	}
	switch kind {
	case "locked":
		setting, value, _ := strings.Cut(arg, ":")
		return &LockedError{Setting: setting, Value: value}
	case "redirect":
		return &ucontact.RedirectError{Op: "remote", Location: arg}
	case "certificate":
		ce := parseCertificateArg(arg)
		ce.Op, ce.Err = "remote", cause
		return ce
	case "status":
		n, _ := strconv.Atoi(arg)
		return &ucontact.StatusError{Op: "remote", Status: n}
	case "timeout", "unreachable":
		return &ucontact.NetworkError{Op: "remote", Timeout: kind == "timeout", Err: cause}
	case "protocol":
		return &ucontact.ProtocolError{Op: "remote", Detail: text}
	}
	return cause
}

var codeSentinels = map[string]error{
	"wrong-credentials": ucontact.ErrWrongCredentials,
	"invalid-server":    ucontact.ErrInvalidServer,
	"empty-user":        ErrEmptyUser,
	"empty-password":    ErrEmptyPassword,
	"invalid-kind":      ErrInvalidKind,
	"already-logged-in": ErrAlreadyLoggedIn,
	"not-logged-in":     ErrNotLoggedIn,
	"logout-pending":    ErrLogoutPending,
	"busy":              ErrBusy,
	"token-lost":        ErrTokenLost,
	"storing":           ErrStoringSession,
	"login-interrupted": ErrLoginInterrupted,
	"damaged-record":    errCorruptRecord,
	"closed":            ErrClosed,
	"refused":           ucontact.ErrRefused,
	"session-over":      ucontact.ErrSessionOver,
	"keyring-timeout":   secrets.ErrTimeout,
	"keyring":           secrets.ErrUnavailable,
	"cancelled":         context.Canceled,
}

// warningSentinels are the warnings a snapshot can carry, by code.
var warningSentinels = map[string]error{
	"token-in-file":      ErrTokenInFile,
	"password-not-saved": ErrPasswordNotSaved,
	"token-not-deleted":  ErrTokenNotDeleted,
	"record-not-removed": ErrRecordNotRemoved,
	"token-unreadable":   ErrTokenUnreadable,
	"token-lost":         ErrTokenLost,
}

// WarningCodes lists the known warnings in w (a snapshot's Warning).
func WarningCodes(w error) []string {
	var codes []string
	for code, sentinel := range warningSentinels {
		if errors.Is(w, sentinel) {
			codes = append(codes, code)
		}
	}
	var damaged *DamagedRecordError
	if errors.As(w, &damaged) {
		codes = append(codes, "damaged-record:"+damaged.SetAside)
	}
	return codes
}

// WarningFromCodes rebuilds a Warning from WarningCodes' codes; text is the
// original's message, kept for logs.
func WarningFromCodes(codes []string, text string) error {
	if len(codes) == 0 && text == "" {
		return nil
	}
	errs := []error{errors.New(text)}
	for _, code := range codes {
		if path, ok := strings.CutPrefix(code, "damaged-record:"); ok {
			errs = append(errs, &DamagedRecordError{SetAside: path, Err: errCorruptRecord})
		} else if sentinel, ok := warningSentinels[code]; ok {
			errs = append(errs, sentinel)
		}
	}
	return errors.Join(errs...)
}

// certificateArg puts what a message about an untrusted certificate needs
// in an error code: the host, the issuer (any text) and the problem.
func certificateArg(ce *ucontact.CertificateError) string {
	return url.Values{"host": {ce.Host}, "issuer": {ce.Issuer}, "problem": {string(ce.Problem)}}.Encode()
}

func parseCertificateArg(arg string) *ucontact.CertificateError {
	v, err := url.ParseQuery(arg)
	if err != nil || !v.Has("host") {
		// A record written before the issuer was known: the host alone.
		return &ucontact.CertificateError{Host: arg, Problem: ucontact.UnknownAuthority}
	}
	return &ucontact.CertificateError{
		Host: v.Get("host"), Issuer: v.Get("issuer"), Problem: ucontact.CertificateProblem(v.Get("problem")),
	}
}
