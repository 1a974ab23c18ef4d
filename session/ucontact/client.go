// Package ucontact speaks uContact's session API: open and end user and agent
// sessions, and start and end an agent's breaks. It keeps no state besides
// its connections; see docs/protocol.md for the protocol as far as it is
// known.
package ucontact

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// Paths of the calls, relative to the server's base URL.
const (
	PathGetUserToken = "/Integra/resources/auth/getUserToken"
	PathUserLogin    = "/Integra/resources/auth/UserLogin"
	PathEndSession   = "/Integra/resources/auth/EndSession"
	PathAgentLogin   = "/Integra/resources/auth/AgentLogin"
	PathAgentLogoff  = "/Integra/resources/api/AgentLogoff"
	PathAgentBreak   = "/Integra/resources/api/AgentBreak"
	PathAgentUnBreak = "/Integra/resources/api/AgentUnBreak"
)

// MaxAnswerSize caps how much of an answer is read. A login answer is a few
// hundred bytes; anything near this is not uContact talking.
const MaxAnswerSize = 1 << 20

// Options tune a Client. The zero value is ready for production use.
type Options struct {
	// UserAgent names the app and its version.
	UserAgent string
	// CallTimeout bounds a call whose context has no deadline (default 15 s).
	CallTimeout time.Duration
	// DialTimeout bounds connecting and the TLS handshake (default 5 s).
	DialTimeout time.Duration
	// RootCAs, if set, replaces the system's trusted certificates;
	// LoadCAFile makes one that adds a file's to them.
	RootCAs *x509.CertPool
	// Logger, if set, gets a line per call: the method, host and path (no
	// query, no body), the HTTP status or the error, and how long it took.
	Logger *slog.Logger
}

// Client calls one uContact server. It is safe for concurrent use and keeps
// connections alive between calls, so that a logout at shutdown does not pay
// for a new TCP and TLS handshake.
type Client struct {
	base *url.URL
	http *http.Client
	opts Options
}

// NewClient returns a client for the server at base, as given by ParseServer.
func NewClient(base *url.URL, opts Options) *Client {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 15 * time.Second
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 5 * time.Second
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "ucontact-tray"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.DialTimeout,
		TLSClientConfig:       &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       10 * time.Minute,
		ResponseHeaderTimeout: opts.CallTimeout,
	}
	c := &Client{base: base, opts: opts}
	c.http = &http.Client{Transport: transport, CheckRedirect: c.checkRedirect}
	return c
}

// Server is the base URL the client calls.
func (c *Client) Server() *url.URL { return c.base }

// CloseIdleConnections drops kept-alive connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// checkRedirect follows a redirect only within the same scheme and host:
// the form carries a password or a token, which must not leave the server
// the user chose.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != c.base.Scheme || !strings.EqualFold(req.URL.Host, c.base.Host) {
		return &RedirectError{Location: req.URL.Scheme + "://" + req.URL.Host}
	}
	if len(via) >= 3 {
		return errors.New("too many redirects")
	}
	return nil
}

// UserSession is an open user session.
type UserSession struct {
	User  string
	Token Token
}

// Opened is told of a session the moment the server's answer has been
// read, before the call is logged or returns: from that answer on the
// session is open on the server, and a caller that must be able to end it
// after a crash keeps what ends it before any other work is done.
type Opened func(token Token, extension string)

// OpenUserSession logs in with getUserToken, falling back once to the older
// UserLogin when the server does not know getUserToken (404). opened may be
// nil.
func (c *Client) OpenUserSession(ctx context.Context, user, password string, opened Opened) (UserSession, error) {
	form := url.Values{"user": {user}, "password": {password}}
	ans, err := c.login(ctx, "getUserToken", PathGetUserToken, form, shapeGetUserToken, opened)
	if se := (*StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusNotFound {
		ans, err = c.login(ctx, "UserLogin", PathUserLogin, form, shapeUserLogin, opened)
	}
	if err != nil {
		return UserSession{}, err
	}
	return UserSession{User: user, Token: ans.Token}, nil
}

// EndUserSession ends a user session. A 401 means the session was already
// over and is reported as ErrSessionOver, which callers may treat as done.
func (c *Client) EndUserSession(ctx context.Context, s UserSession) error {
	form := url.Values{"user": {s.User}, "token": {string(s.Token)}}
	return c.act(ctx, "EndSession", PathEndSession, form, s.Token)
}

// AgentSession is an agent logged in to the phone line.
type AgentSession struct {
	Agent     string
	Token     Token  // the md5secret of the agent's SIP peer
	Extension string // the callerid; the interface is SIP/<Extension>
}

// Interface is the agent's phone interface, as AgentLogoff and the break
// calls want it.
func (s AgentSession) Interface() string { return "SIP/" + s.Extension }

// OpenAgentSession logs the agent in to the phone line: from now on calls are
// routed to them. opened may be nil.
func (c *Client) OpenAgentSession(ctx context.Context, agent, password string, opened Opened) (AgentSession, error) {
	form := url.Values{"agent": {agent}, "password": {password}}
	ans, err := c.login(ctx, "AgentLogin", PathAgentLogin, form, shapeAgentLogin, opened)
	if err != nil {
		return AgentSession{}, err
	}
	return AgentSession{Agent: agent, Token: ans.Token, Extension: ans.Extension}, nil
}

// EndAgentSession takes the agent off the phone line. message, if not empty,
// is stored in the queue log.
func (c *Client) EndAgentSession(ctx context.Context, s AgentSession, message string) error {
	form := url.Values{"agent": {s.Agent}, "interface": {s.Interface()}}
	if message != "" {
		form.Set("message", message)
	}
	return c.act(ctx, "AgentLogoff", PathAgentLogoff, form, s.Token)
}

// StartBreak puts the agent on a break: no calls are routed to them until
// EndBreak. motive is one of the breaks configured in the tenant ("Almuerzo",
// …); the client never makes one up, so an empty motive is ErrNoMotive and
// nothing is sent. message, if not empty, is stored in the queue log.
//
// A server without breaks answers ErrNoBreaks; one that does not know the
// motive, or will not start the break, ErrRefused; ErrSessionOver means the
// agent is no longer logged in.
func (c *Client) StartBreak(ctx context.Context, s AgentSession, motive, message string) error {
	form, err := breakForm("AgentBreak", s, motive, message)
	if err != nil {
		return err
	}
	return c.breakCall(ctx, "AgentBreak", PathAgentBreak, form, s.Token)
}

// EndBreak ends the agent's break, started with motive onBreak ago, and
// routes calls to them again. The server is told the break's length in whole
// seconds, rounded down. Errors are those of StartBreak; ErrRefused includes
// an agent who was not on a break.
func (c *Client) EndBreak(ctx context.Context, s AgentSession, motive string, onBreak time.Duration, message string) error {
	form, err := breakForm("AgentUnBreak", s, motive, message)
	if err != nil {
		return err
	}
	form.Set("time", strconv.FormatInt(int64(max(onBreak, 0)/time.Second), 10))
	return c.breakCall(ctx, "AgentUnBreak", PathAgentUnBreak, form, s.Token)
}

// breakForm is the form both break calls send.
func breakForm(op string, s AgentSession, motive, message string) (url.Values, error) {
	if strings.TrimSpace(motive) == "" {
		return nil, fmt.Errorf("%s: %w", op, ErrNoMotive)
	}
	form := url.Values{"agent": {s.Agent}, "interface": {s.Interface()}, "motive": {motive}}
	if message != "" {
		form.Set("message", message)
	}
	return form, nil
}

// breakCall is act, where a 404 means a server without breaks rather than
// a status the protocol gives no meaning to.
func (c *Client) breakCall(ctx context.Context, op, path string, form url.Values, tok Token) error {
	err := c.act(ctx, op, path, form, tok)
	if se := (*StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusNotFound {
		return fmt.Errorf("%s: %w", op, ErrNoBreaks)
	}
	return err
}

func (c *Client) login(ctx context.Context, op, path string, form url.Values, shape loginShape, opened Opened) (loginAnswer, error) {
	start := time.Now()
	status, body, err := c.post(ctx, op, path, form, "")
	// Logged last: the log may be a file on a slow disk, and opened must
	// come first.
	defer c.logCall(ctx, path, status, start, err)
	if err != nil {
		return loginAnswer{}, err
	}
	if status < 200 || status > 299 {
		return loginAnswer{}, &StatusError{Op: op, Status: status}
	}
	ans, err := parseLoginAnswer(body, shape)
	if pe := (*ProtocolError)(nil); errors.As(err, &pe) {
		pe.Op = op
	}
	if err == nil && opened != nil {
		opened(ans.Token, ans.Extension)
	}
	return ans, err
}

// act sends a call that acts on an open session (ends it, or changes the
// agent's state) and reads its answer: a 2xx not "0" is done.
func (c *Client) act(ctx context.Context, op, path string, form url.Values, tok Token) error {
	start := time.Now()
	status, body, err := c.post(ctx, op, path, form, tok)
	c.logCall(ctx, path, status, start, err)
	switch {
	case err != nil:
		return err
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%s: %w", op, ErrSessionOver)
	case status < 200 || status > 299:
		return &StatusError{Op: op, Status: status}
	case strings.TrimSpace(string(body)) == "0":
		return fmt.Errorf("%s: %w", op, ErrRefused)
	}
	return nil
}

// post sends one form and reads the answer, at most MaxAnswerSize bytes.
// Its callers log the call.
func (c *Client) post(ctx context.Context, op, path string, form url.Values, tok Token) (status int, body []byte, err error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.CallTimeout)
		defer cancel()
	}
	target := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: building request: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	req.Header.Set("Accept", "application/json, text/plain, */*")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if tok != "" {
		req.Header.Set("Authorization", "Basic "+string(tok))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, classify(op, c.base.Hostname(), err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, MaxAnswerSize+1))
	if err != nil {
		return resp.StatusCode, nil, classify(op, c.base.Hostname(), err)
	}
	if len(body) > MaxAnswerSize {
		return resp.StatusCode, nil, &ProtocolError{Op: op, Detail: fmt.Sprintf("an answer larger than %d bytes", MaxAnswerSize)}
	}
	return resp.StatusCode, body, nil
}

// logCall logs one call for support: never its form, its answer or its
// headers, which carry passwords and tokens. status is 0 when no answer
// came.
func (c *Client) logCall(ctx context.Context, path string, status int, start time.Time, err error) {
	took := time.Since(start)
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("host", c.base.Host),
		slog.String("path", path),
		slog.Duration("duration", took.Round(100*time.Microsecond)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		c.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "uContact request failed", append(attrs, slog.Any("err", err))...)
		return
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "uContact request", attrs...)
}

// classify turns a transport error into one of the package's error types.
// url.Error is unwrapped: its message repeats the URL, which is noise for a
// person and, with a query string, could carry more than the host.
func classify(op, host string, err error) error {
	if re := (*RedirectError)(nil); errors.As(err, &re) {
		re.Op = op
		return re
	}
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err
	}
	if ce := certificateError(op, host, err); ce != nil {
		return ce
	}
	timeout := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		timeout = true
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !timeout && errors.Is(err, syscall.ECONNRESET) {
		err = errors.New("connection reset by the server")
	}
	return &NetworkError{Op: op, Timeout: timeout, Err: err}
}

// certificateError describes a certificate the TLS handshake refused, or
// returns nil if err is about something else.
func certificateError(op, host string, err error) *CertificateError {
	var (
		unknownCA    x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidCert  x509.CertificateInvalidError
		verification *tls.CertificateVerificationError
	)
	ce := &CertificateError{Op: op, Host: host, Err: err}
	var cert *x509.Certificate
	switch {
	case errors.As(err, &unknownCA):
		ce.Problem, cert = UnknownAuthority, unknownCA.Cert
	case errors.As(err, &hostnameErr):
		ce.Problem, cert = WrongHost, hostnameErr.Certificate
	case errors.As(err, &invalidCert):
		ce.Problem, cert = InvalidCertificate, invalidCert.Cert
	case errors.As(err, &verification):
		// A platform verifier's own error (macOS): most often an
		// authority it does not know, where getting the CA is the advice
		// that helps.
		ce.Problem = UnknownAuthority
	default:
		return nil
	}
	if cert == nil && errors.As(err, &verification) && len(verification.UnverifiedCertificates) > 0 {
		cert = verification.UnverifiedCertificates[0]
	}
	ce.Issuer = issuerName(cert)
	return ce
}

// maxIssuerName bounds the issuer's name in messages.
const maxIssuerName = 80

// issuerName is who signed cert, as a person would recognise it: the common
// name, else the organisation, else the whole name. It comes from the
// network, so it is cut short and stripped of control characters.
func issuerName(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	name := cert.Issuer.CommonName
	if name == "" && len(cert.Issuer.Organization) > 0 {
		name = cert.Issuer.Organization[0]
	}
	if name == "" {
		name = cert.Issuer.String()
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, name))
	if r := []rune(name); len(r) > maxIssuerName {
		name = string(r[:maxIssuerName]) + "…"
	}
	return name
}
