package session

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// Code classifies an error, or one of a snapshot's warnings, with a short
// stable string, so that it can cross a process boundary (the session
// record, the control socket) and be rebuilt as the same kind of error, for
// the receiver to explain in the user's language. Some kinds carry an
// argument after ':' ("status:503"). The strings are a wire format: what an
// older version wrote must still read, so they never change.
type Code string

// The codes of errors. Those commented with an argument carry one.
const (
	CodeWrongCredentials Code = "wrong-credentials"
	CodeInvalidServer    Code = "invalid-server"
	CodeEmptyUser        Code = "empty-user"
	CodeEmptyPassword    Code = "empty-password"
	CodeInvalidKind      Code = "invalid-kind"
	CodeAlreadyLoggedIn  Code = "already-logged-in"
	CodeNotLoggedIn      Code = "not-logged-in"
	CodeLogoutPending    Code = "logout-pending"
	CodeBusy             Code = "busy"
	CodeTokenLost        Code = "token-lost" // also a warning
	CodeStoring          Code = "storing"
	CodeLoginInterrupted Code = "login-interrupted"
	// CodeDamagedRecord is a session record that cannot be read; as a
	// warning, its argument is where it was set aside ("" if kept in place).
	CodeDamagedRecord  Code = "damaged-record"
	CodeClosed         Code = "closed"
	CodeRedirect       Code = "redirect"    // argument: the refused location
	CodeCertificate    Code = "certificate" // argument: host, issuer and problem, URL-encoded
	CodeStatus         Code = "status"      // argument: the HTTP status
	CodeTimeout        Code = "timeout"
	CodeUnreachable    Code = "unreachable"
	CodeProtocol       Code = "protocol"
	CodeRefused        Code = "refused"
	CodeSessionOver    Code = "session-over"
	CodeKeyringTimeout Code = "keyring-timeout"
	CodeKeyring        Code = "keyring"
	CodeCancelled      Code = "cancelled"
	CodeLoginCancelled Code = "login-cancelled"
	// CodeLocked is a choice the computer's administrator fixed; argument:
	// "setting:value". Its Go type lives with the presets, above this
	// package (see ErrorCoder).
	CodeLocked Code = "locked"
	// The break calls' ("pausas").
	CodeNotAgent        Code = "not-agent"
	CodeOnBreak         Code = "on-break"
	CodeNotOnBreak      Code = "not-on-break"
	CodeNoBreaks        Code = "no-breaks"
	CodeNoMotive        Code = "no-motive"
	CodeBreakRefused    Code = "break-refused"     // argument: the motive
	CodeBreakEndRefused Code = "break-end-refused" // argument: the motive
)

// The codes of warnings only.
const (
	CodeTokenInFile      Code = "token-in-file"
	CodePasswordNotSaved Code = "password-not-saved"
	CodeTokenNotDeleted  Code = "token-not-deleted"
	CodeRecordNotRemoved Code = "record-not-removed"
	CodeTokenUnreadable  Code = "token-unreadable"
)

// Kind is the code without its argument: what a receiver switches on.
func (c Code) Kind() Code {
	kind, _, _ := strings.Cut(string(c), ":")
	return Code(kind)
}

// Arg is the code's argument, "" if it has none.
func (c Code) Arg() string {
	_, arg, _ := strings.Cut(string(c), ":")
	return arg
}

// With is the code of kind c with arg.
func (c Code) With(arg string) Code { return c + ":" + Code(arg) }

// ErrorCoder is an error that names its own code: one whose Go type lives
// above this package and still has to cross a process boundary (the
// presets' LockedError). Its kind should be one of ErrorKinds, for the
// receiver to know it; ErrorFromCode rebuilds it as a CodedError.
type ErrorCoder interface {
	error
	ErrorCode() string
}

// CodedError is an error rebuilt from a code whose Go type this package
// does not own (see ErrorCoder) or does not know (a newer version's): it
// keeps the code, for the receiver to explain, and the original's text.
type CodedError struct {
	Code Code
	Text string
}

func (e *CodedError) Error() string     { return e.Text }
func (e *CodedError) ErrorCode() string { return string(e.Code) }

// use says where a code appears.
type use uint8

const (
	inErrors use = iota
	inWarnings
	inBoth
)

// coding is one code: how an error is recognized as one, and rebuilt.
// A coding with neither sentinel nor encode is a code whose type lives
// above this package: the error names it (ErrorCoder) and it comes back as
// a CodedError.
type coding struct {
	code Code
	in   use
	// sentinel is the error a code without argument stands for: any error
	// that wraps it has the code, and the code comes back as it.
	sentinel error
	// encode reports whether err is of a type of its own, and its code;
	// decode rebuilds one from its code, around the original's text.
	encode func(err error) (Code, bool)
	decode func(c Code, text string) error
}

// codings are every code, in the order ErrorCode tries them: an error
// matching two (a timeout of the keyring is also a deadline) gets the first.
// Decoding takes a code's first coding.
var codings = []coding{
	{code: CodeWrongCredentials, sentinel: ucontact.ErrWrongCredentials},
	{code: CodeInvalidServer, sentinel: ucontact.ErrInvalidServer},
	{code: CodeEmptyUser, sentinel: ErrEmptyUser},
	{code: CodeEmptyPassword, sentinel: ErrEmptyPassword},
	{code: CodeInvalidKind, sentinel: ErrInvalidKind},
	{code: CodeAlreadyLoggedIn, sentinel: ErrAlreadyLoggedIn},
	{code: CodeNotLoggedIn, sentinel: ErrNotLoggedIn},
	{code: CodeLogoutPending, sentinel: ErrLogoutPending},
	{code: CodeBusy, sentinel: ErrBusy},
	{code: CodeTokenLost, in: inBoth, sentinel: ErrTokenLost},
	{code: CodeStoring, sentinel: ErrStoringSession},
	{code: CodeLoginInterrupted, sentinel: ErrLoginInterrupted},
	{code: CodeLoginCancelled, sentinel: ErrLoginCancelled},
	{code: CodeDamagedRecord, sentinel: errCorruptRecord},
	{code: CodeClosed, sentinel: ErrClosed},
	{code: CodeLocked},
	{
		code: CodeRedirect,
		encode: func(err error) (Code, bool) {
			if re, ok := errors.AsType[*ucontact.RedirectError](err); ok {
				return CodeRedirect.With(re.Location), true
			}
			return "", false
		},
		decode: func(c Code, _ string) error { return &ucontact.RedirectError{Op: "remote", Location: c.Arg()} },
	},
	{
		code: CodeCertificate,
		encode: func(err error) (Code, bool) {
			if ce, ok := errors.AsType[*ucontact.CertificateError](err); ok {
				return CodeCertificate.With(certificateArg(ce)), true
			}
			return "", false
		},
		decode: func(c Code, text string) error {
			ce := parseCertificateArg(c.Arg())
			ce.Op, ce.Err = "remote", errors.New(text)
			return ce
		},
	},
	{
		code: CodeStatus,
		encode: func(err error) (Code, bool) {
			if se, ok := errors.AsType[*ucontact.StatusError](err); ok {
				return CodeStatus.With(strconv.Itoa(se.Status)), true
			}
			return "", false
		},
		decode: func(c Code, _ string) error {
			n, _ := strconv.Atoi(c.Arg())
			return &ucontact.StatusError{Op: "remote", Status: n}
		},
	},
	{
		code: CodeTimeout,
		encode: func(err error) (Code, bool) {
			ne, ok := errors.AsType[*ucontact.NetworkError](err)
			return CodeTimeout, ok && ne.Timeout
		},
		decode: func(_ Code, text string) error {
			return &ucontact.NetworkError{Op: "remote", Timeout: true, Err: errors.New(text)}
		},
	},
	{
		code: CodeUnreachable,
		encode: func(err error) (Code, bool) {
			_, ok := errors.AsType[*ucontact.NetworkError](err)
			return CodeUnreachable, ok
		},
		decode: func(_ Code, text string) error {
			return &ucontact.NetworkError{Op: "remote", Err: errors.New(text)}
		},
	},
	{
		code: CodeProtocol,
		encode: func(err error) (Code, bool) {
			_, ok := errors.AsType[*ucontact.ProtocolError](err)
			return CodeProtocol, ok
		},
		decode: func(_ Code, text string) error { return &ucontact.ProtocolError{Op: "remote", Detail: text} },
	},
	{code: CodeNotAgent, sentinel: ErrNotAgent},
	{code: CodeOnBreak, sentinel: ErrOnBreak},
	{code: CodeNotOnBreak, sentinel: ErrNotOnBreak},
	{code: CodeNoBreaks, sentinel: ucontact.ErrNoBreaks},
	{code: CodeNoMotive, sentinel: ucontact.ErrNoMotive},
	// Before CodeRefused: a refused break is one, and says which.
	{code: CodeBreakRefused, encode: breakRefusedCode(false), decode: breakRefusedError(false)},
	{code: CodeBreakEndRefused, encode: breakRefusedCode(true), decode: breakRefusedError(true)},
	{code: CodeRefused, sentinel: ucontact.ErrRefused},
	{code: CodeSessionOver, sentinel: ucontact.ErrSessionOver},
	{code: CodeKeyringTimeout, sentinel: secrets.ErrTimeout},
	{code: CodeKeyring, sentinel: secrets.ErrUnavailable},
	// Any other deadline is a timeout too; it comes back as the network's.
	{code: CodeTimeout, sentinel: context.DeadlineExceeded},
	{code: CodeCancelled, sentinel: context.Canceled},

	{code: CodeTokenInFile, in: inWarnings, sentinel: ErrTokenInFile},
	{code: CodePasswordNotSaved, in: inWarnings, sentinel: ErrPasswordNotSaved},
	{code: CodeTokenNotDeleted, in: inWarnings, sentinel: ErrTokenNotDeleted},
	{code: CodeRecordNotRemoved, in: inWarnings, sentinel: ErrRecordNotRemoved},
	{code: CodeTokenUnreadable, in: inWarnings, sentinel: ErrTokenUnreadable},
	{
		code: CodeDamagedRecord, in: inWarnings,
		encode: func(err error) (Code, bool) {
			if de, ok := errors.AsType[*DamagedRecordError](err); ok {
				return CodeDamagedRecord.With(de.SetAside), true
			}
			return "", false
		},
		decode: func(c Code, _ string) error { return &DamagedRecordError{SetAside: c.Arg(), Err: errCorruptRecord} },
	},
}

func (k coding) usedIn(in use) bool { return k.in == in || k.in == inBoth }

func (k coding) match(err error) (Code, bool) {
	switch {
	case k.sentinel != nil:
		return k.code, errors.Is(err, k.sentinel)
	case k.encode != nil:
		return k.encode(err)
	}
	return "", false
}

// rebuild is the error of code c; text is the original's message, kept for
// logs.
func (k coding) rebuild(c Code, text string) error {
	switch {
	case k.sentinel != nil:
		return fmt.Errorf("%w: %w", k.sentinel, errors.New(text))
	case k.decode != nil:
		return k.decode(c, text)
	}
	return &CodedError{Code: c, Text: text}
}

func codingOf(c Code, in use) (coding, bool) {
	i := slices.IndexFunc(codings, func(k coding) bool { return k.code == c.Kind() && k.usedIn(in) })
	if i < 0 {
		return coding{}, false
	}
	return codings[i], true
}

// ErrorCode classifies err, for ErrorFromCode to rebuild it in another
// process as the same kind of error. Unknown errors get "".
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if ec, ok := errors.AsType[ErrorCoder](err); ok {
		return Code(ec.ErrorCode())
	}
	for _, k := range codings {
		if !k.usedIn(inErrors) {
			continue
		}
		if c, ok := k.match(err); ok {
			return c
		}
	}
	return ""
}

// ErrorFromCode rebuilds an error of the kind ErrorCode saw, around the text
// the original error had. A code of a type this package does not own, or
// does not know, comes back as a CodedError that keeps it.
func ErrorFromCode(c Code, text string) error {
	if c == "" {
		return errors.New(text)
	}
	if k, ok := codingOf(c, inErrors); ok {
		return k.rebuild(c, text)
	}
	return &CodedError{Code: c, Text: text}
}

// WarningCodes lists the known warnings in w (a snapshot's Warning).
func WarningCodes(w error) []Code {
	var codes []Code
	for _, k := range codings {
		if !k.usedIn(inWarnings) {
			continue
		}
		if c, ok := k.match(w); ok {
			codes = append(codes, c)
		}
	}
	return codes
}

// WarningFromCodes rebuilds a Warning from WarningCodes' codes; text is the
// original's message, kept for logs. Codes it does not know are left out.
func WarningFromCodes(codes []Code, text string) error {
	if len(codes) == 0 && text == "" {
		return nil
	}
	errs := []error{errors.New(text)}
	for _, c := range codes {
		k, ok := codingOf(c, inWarnings)
		switch {
		case !ok:
		case k.sentinel != nil: // the text is already there, once
			errs = append(errs, k.sentinel)
		default:
			errs = append(errs, k.rebuild(c, text))
		}
	}
	return errors.Join(errs...)
}

// ErrorKinds are the kinds of every error code, for a receiver to check that
// it explains each.
func ErrorKinds() []Code { return kinds(inErrors) }

// WarningKinds are the kinds of every warning code.
func WarningKinds() []Code { return kinds(inWarnings) }

func kinds(in use) []Code {
	var codes []Code
	for _, k := range codings {
		if k.usedIn(in) && !slices.Contains(codes, k.code) {
			codes = append(codes, k.code)
		}
	}
	return codes
}

// breakRefusedCode codes a BreakRefusedError of a break's start, or of its
// end, with its motive.
func breakRefusedCode(end bool) func(error) (Code, bool) {
	return func(err error) (Code, bool) {
		be, ok := errors.AsType[*BreakRefusedError](err)
		if !ok || be.End != end {
			return "", false
		}
		code := CodeBreakRefused
		if end {
			code = CodeBreakEndRefused
		}
		if be.Motive == "" { // none is ever sent: the bare code reads back as itself
			return code, true
		}
		return code.With(be.Motive), true
	}
}

func breakRefusedError(end bool) func(Code, string) error {
	return func(c Code, _ string) error {
		return &BreakRefusedError{Motive: c.Arg(), End: end, Err: ucontact.ErrRefused}
	}
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
