package ucontact

import (
	"errors"
	"fmt"
)

// ErrWrongCredentials means the server answered a login with its in-band
// refusal (HTTP 200, body "0").
var ErrWrongCredentials = errors.New("wrong user or password")

// ErrSessionOver means the server no longer knows the token (HTTP 401 on a
// protected call): the session is already over, whatever the call wanted.
var ErrSessionOver = errors.New("session already ended on the server")

// ErrRefused means the server answered "0" to a call on an open session (one
// that ends it, or starts or ends a break): it did not do it, and did not say
// why.
var ErrRefused = errors.New("server refused the request")

// ErrNoBreaks means the server has no break calls (HTTP 404 to one): breaks
// cannot be taken from this app on this server.
var ErrNoBreaks = errors.New("server does not offer agent breaks")

// ErrNoMotive means a break call was asked for without a motive. The motive
// names a break configured on the server and is never made up, so nothing
// was sent.
var ErrNoMotive = errors.New("no break motive given")

// StatusError is an HTTP status the protocol gives no meaning to (5xx, 403…).
type StatusError struct {
	Op     string // the call, e.g. "EndSession"
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: server answered HTTP %d", e.Op, e.Status)
}

// NetworkError means the server could not be reached, or did not answer in
// time. Nothing is known about what the server did with the request.
type NetworkError struct {
	Op      string
	Timeout bool
	Err     error
}

func (e *NetworkError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("%s: server did not answer in time: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("%s: server unreachable: %v", e.Op, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// ProtocolError is an answer that cannot be read as the protocol says. Detail
// describes it without quoting values that could be secrets: JSON answers are
// described by their shape only, other answers by a short excerpt.
type ProtocolError struct {
	Op     string
	Detail string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%s: unexpected answer from server: %s", e.Op, e.Detail)
}

// RedirectError is a redirect the client refused to follow: to another host
// or scheme, where the credentials must not go.
type RedirectError struct {
	Op       string
	Location string // scheme and host only
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s: server redirected to %s; not followed", e.Op, e.Location)
}

// CertificateProblem is why a server's certificate was not trusted. The
// values are stable: they cross the control socket and the session record.
type CertificateProblem string

const (
	// UnknownAuthority: signed by a CA this computer does not trust, as an
	// on-premise server's private CA is until it is given with a CA file.
	UnknownAuthority CertificateProblem = "unknown-authority"
	// WrongHost: a valid certificate, but for another host name.
	WrongHost CertificateProblem = "wrong-host"
	// InvalidCertificate: expired, not yet valid, or not for a server.
	InvalidCertificate CertificateProblem = "invalid"
)

// CertificateError is a TLS certificate the client does not trust. Nothing
// was sent to the server.
type CertificateError struct {
	Op      string
	Host    string
	Issuer  string // who signed the certificate, as the certificate says; "" if unknown
	Problem CertificateProblem
	Err     error
}

func (e *CertificateError) Error() string {
	by := ""
	if e.Issuer != "" {
		by = fmt.Sprintf(" (issued by %q)", e.Issuer)
	}
	return fmt.Sprintf("%s: certificate of %s%s not trusted: %v", e.Op, e.Host, by, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }
