package ucontact_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

const (
	testUser     = "ana"
	testPassword = "s3cret-pw"
)

// startFake runs a fake server with one user and one agent account.
func startFake(t *testing.T, v fake.Variant) (*fake.Server, *ucontact.Client) {
	t.Helper()
	srv := fake.New(v)
	srv.AddUser(testUser, testPassword)
	srv.AddAgent(testUser, testPassword)
	base, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, newClient(t, base)
}

func newClient(t *testing.T, base string) *ucontact.Client {
	t.Helper()
	u, err := ucontact.ParseServer(base)
	if err != nil {
		t.Fatalf("ParseServer(%q): %v", base, err)
	}
	return ucontact.NewClient(u, ucontact.Options{UserAgent: "ucontact-tray/test", CallTimeout: 2 * time.Second})
}

func TestUserSessionVariants(t *testing.T) {
	for _, tc := range []struct {
		name    string
		variant fake.Variant
		paths   []string // login calls expected, in order
	}{
		{"array token", fake.Variant{TokenStyle: fake.TokenArray}, []string{ucontact.PathGetUserToken}},
		{"string token", fake.Variant{TokenStyle: fake.TokenString}, []string{ucontact.PathGetUserToken}},
		{"404 falls back to UserLogin", fake.Variant{NoGetUserToken: true}, []string{ucontact.PathGetUserToken, ucontact.PathUserLogin}},
		{"EndSession read from body", fake.Variant{EndSessionFrom: fake.FromBody}, []string{ucontact.PathGetUserToken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := startFake(t, tc.variant)
			ses, err := c.OpenUserSession(context.Background(), testUser, testPassword, nil)
			if err != nil {
				t.Fatalf("OpenUserSession: %v", err)
			}
			opened := srv.Sessions()
			if len(opened) != 1 || string(ses.Token) != opened[0].Token {
				t.Fatalf("token %q, server opened %+v", string(ses.Token), opened)
			}
			var got []string
			for _, r := range srv.Requests() {
				got = append(got, r.Path)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.paths) {
				t.Errorf("calls = %v, want %v", got, tc.paths)
			}
			for _, r := range srv.Requests() {
				if r.Form.Get("user") != testUser || r.Form.Get("password") != testPassword {
					t.Errorf("%s form = %v", r.Path, r.Form)
				}
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
					t.Errorf("Content-Type = %q", ct)
				}
				if r.Header.Get("Authorization") != "" {
					t.Errorf("login sent an Authorization header")
				}
			}

			if err := c.EndUserSession(context.Background(), ses); err != nil {
				t.Fatalf("EndUserSession: %v", err)
			}
			ends := srv.RequestsTo(ucontact.PathEndSession)
			if len(ends) != 1 {
				t.Fatalf("%d EndSession calls, want 1", len(ends))
			}
			end := ends[0]
			if end.Form.Get("user") != testUser || end.Form.Get("token") != string(ses.Token) {
				t.Errorf("EndSession form = %v", end.Form)
			}
			if len(end.Query) != 0 {
				t.Errorf("EndSession sent a query string: %v (a token there ends up in access logs)", end.Query)
			}
			if got, want := end.Header.Get("Authorization"), "Basic "+string(ses.Token); got != want {
				t.Errorf("Authorization = %q, want %q", got, want)
			}
			if ua := end.Header.Get("User-Agent"); ua != "ucontact-tray/test" {
				t.Errorf("User-Agent = %q", ua)
			}
			if srv.Sessions()[0].Ended != 1 {
				t.Errorf("session not ended on the server")
			}
			// A second end finds the session over.
			if err := c.EndUserSession(context.Background(), ses); !errors.Is(err, ucontact.ErrSessionOver) {
				t.Errorf("second EndUserSession = %v, want ErrSessionOver", err)
			}
		})
	}
}

func TestAgentSession(t *testing.T) {
	srv, c := startFake(t, fake.Variant{})
	ses, err := c.OpenAgentSession(context.Background(), testUser, testPassword, nil)
	if err != nil {
		t.Fatalf("OpenAgentSession: %v", err)
	}
	opened := srv.Sessions()
	if len(opened) != 1 || string(ses.Token) != opened[0].Token || ses.Extension != opened[0].Extension {
		t.Fatalf("session %+v, server opened %+v", ses, opened)
	}
	if err := c.EndAgentSession(context.Background(), ses, "fin de turno"); err != nil {
		t.Fatalf("EndAgentSession: %v", err)
	}
	offs := srv.RequestsTo(ucontact.PathAgentLogoff)
	if len(offs) != 1 {
		t.Fatalf("%d AgentLogoff calls, want 1", len(offs))
	}
	f := offs[0].Form
	if f.Get("agent") != testUser || f.Get("interface") != "SIP/"+ses.Extension || f.Get("message") != "fin de turno" {
		t.Errorf("AgentLogoff form = %v", f)
	}
	if got := offs[0].Header.Get("Authorization"); got != "Basic "+string(ses.Token) {
		t.Errorf("Authorization = %q", got)
	}
	if srv.Sessions()[0].Ended != 1 {
		t.Errorf("agent still logged in on the server")
	}
}

func TestLoginErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  fake.Fault
		pass   string
		agent  bool
		check  func(error) bool
		inText string
	}{
		{name: "wrong password", pass: "nope", check: is(ucontact.ErrWrongCredentials)},
		{name: "wrong agent password", pass: "nope", agent: true, check: is(ucontact.ErrWrongCredentials)},
		{name: "0 with white space", fault: fake.Fault{Body: " 0\n"}, check: is(ucontact.ErrWrongCredentials)},
		{name: "500", fault: fake.Fault{Status: 500}, check: status(500), inText: "HTTP 500"},
		{name: "503 agent", fault: fake.Fault{Status: 503}, agent: true, check: status(503)},
		{name: "dropped connection", fault: fake.Fault{Drop: true}, check: network(false)},
		{name: "slow server", fault: fake.Fault{Latency: 5 * time.Second}, check: network(true), inText: "in time"},
		{name: "10 MB answer", fault: fake.Fault{Oversize: 10 << 20}, check: protocol, inText: "larger than"},
		{name: "malformed", fault: fake.Fault{Body: "<html>Bad Gateway</html>"}, check: protocol, inText: "Bad Gateway"},
		{name: "token not base64", fault: fake.Fault{Body: `"not a token!"`}, check: protocol, inText: "spaces"},
		{name: "object without md5secret hides values", fault: fake.Fault{Body: `{"secret":"sip-pass-123"}`}, agent: true, check: protocol, inText: `fields: "secret"`},
		{name: "redirect to another host", fault: fake.Fault{Redirect: "https://evil.example/steal"}, check: redirect, inText: "evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := startFake(t, fake.Variant{})
			path := ucontact.PathGetUserToken
			if tc.agent {
				path = ucontact.PathAgentLogin
			}
			if tc.fault != (fake.Fault{}) {
				srv.Inject(path, tc.fault)
			}
			pass := testPassword
			if tc.pass != "" {
				pass = tc.pass
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			var err error
			if tc.agent {
				_, err = c.OpenAgentSession(ctx, testUser, pass, nil)
			} else {
				_, err = c.OpenUserSession(ctx, testUser, pass, nil)
			}
			if !tc.check(err) {
				t.Fatalf("error = %#v (%v)", err, err)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v, past the deadline", time.Since(start))
			}
			msg := err.Error()
			if tc.inText != "" && !strings.Contains(msg, tc.inText) {
				t.Errorf("message %q lacks %q", msg, tc.inText)
			}
			for _, secret := range append(srv.Tokens(), testPassword, "sip-pass-123") {
				if strings.Contains(msg, secret) {
					t.Errorf("message %q reveals a secret", msg)
				}
			}
		})
	}
}

// callFault is a fault of a call on an open session, and how the error it
// gives must be.
type callFault struct {
	name  string
	fault fake.Fault
	check func(error) bool
}

// sessionCallFaults are the faults every call on an open session reports
// alike.
func sessionCallFaults() []callFault {
	return []callFault{
		{"401", fake.Fault{Status: 401}, is(ucontact.ErrSessionOver)},
		{"0", fake.Fault{Body: "0"}, is(ucontact.ErrRefused)},
		{"502", fake.Fault{Status: 502}, status(502)},
		{"dropped", fake.Fault{Drop: true}, network(false)},
		{"slow", fake.Fault{Latency: 3 * time.Second}, network(true)},
	}
}

func TestEndErrors(t *testing.T) {
	for _, tc := range sessionCallFaults() {
		for _, agent := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s agent=%v", tc.name, agent), func(t *testing.T) {
				srv, c := startFake(t, fake.Variant{})
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				var err error
				if agent {
					ses, lerr := c.OpenAgentSession(ctx, testUser, testPassword, nil)
					if lerr != nil {
						t.Fatal(lerr)
					}
					srv.Inject(ucontact.PathAgentLogoff, tc.fault)
					err = c.EndAgentSession(ctx, ses, "")
				} else {
					ses, lerr := c.OpenUserSession(ctx, testUser, testPassword, nil)
					if lerr != nil {
						t.Fatal(lerr)
					}
					srv.Inject(ucontact.PathEndSession, tc.fault)
					err = c.EndUserSession(ctx, ses)
				}
				if !tc.check(err) {
					t.Fatalf("error = %#v (%v)", err, err)
				}
			})
		}
	}
}

func TestSameHostRedirectIsFollowed(t *testing.T) {
	srv, c := startFake(t, fake.Variant{})
	srv.Inject(ucontact.PathGetUserToken, fake.Fault{Redirect: ucontact.PathGetUserToken, Times: 1})
	if _, err := c.OpenUserSession(context.Background(), testUser, testPassword, nil); err != nil {
		t.Fatalf("OpenUserSession after a same-host redirect: %v", err)
	}
}

func TestTLSConnectionReuseAndTrust(t *testing.T) {
	srv := fake.New(fake.Variant{})
	srv.AddUser(testUser, testPassword)
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(srv)
	ts.EnableHTTP2 = true
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.StartTLS()
	defer ts.Close()
	base := &url.URL{Scheme: "https", Host: ts.Listener.Addr().String()}

	untrusted := ucontact.NewClient(base, ucontact.Options{})
	_, err := untrusted.OpenUserSession(context.Background(), testUser, testPassword, nil)
	var ce *ucontact.CertificateError
	if !errors.As(err, &ce) {
		t.Fatalf("untrusted certificate: error = %v, want CertificateError", err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	conns.Store(0)
	c := ucontact.NewClient(base, ucontact.Options{RootCAs: pool})
	ses, err := c.OpenUserSession(context.Background(), testUser, testPassword, nil)
	if err != nil {
		t.Fatalf("trusted: %v", err)
	}
	if err := c.EndUserSession(context.Background(), ses); err != nil {
		t.Fatalf("EndUserSession: %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for two calls, want 1 (the logout must reuse the login's)", n)
	}
}

func TestTokenNeverPrints(t *testing.T) {
	tok := ucontact.Token("YW5hOjEyMzQ=")
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %s %q %+v %#v", tok, tok, tok, tok, tok), fmt.Sprintf("%v", ucontact.UserSession{User: "ana", Token: tok})} {
		if strings.Contains(s, string(tok)) {
			t.Errorf("token printed: %s", s)
		}
	}
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func status(code int) func(error) bool {
	return func(err error) bool {
		var se *ucontact.StatusError
		return errors.As(err, &se) && se.Status == code
	}
}

func network(timeout bool) func(error) bool {
	return func(err error) bool {
		var ne *ucontact.NetworkError
		return errors.As(err, &ne) && ne.Timeout == timeout
	}
}

func protocol(err error) bool {
	var pe *ucontact.ProtocolError
	return errors.As(err, &pe)
}

func redirect(err error) bool {
	var re *ucontact.RedirectError
	return errors.As(err, &re)
}

// Every call is logged for support with its path, status and duration, and
// nothing of what it carried: no password, no token, no form, no answer.
func TestCallsAreLoggedWithoutSecrets(t *testing.T) {
	srv, _ := startFake(t, fake.Variant{})
	var log bytes.Buffer
	u, err := ucontact.ParseServer(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := ucontact.NewClient(u, ucontact.Options{CallTimeout: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	ses, err := c.OpenUserSession(context.Background(), testUser, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EndUserSession(context.Background(), ses); err != nil {
		t.Fatal(err)
	}
	srv.Inject(ucontact.PathAgentLogin, fake.Fault{Drop: true})
	if _, err := c.OpenAgentSession(context.Background(), testUser, testPassword, nil); err == nil {
		t.Fatal("a dropped connection was a success")
	}

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	host := strings.TrimPrefix(srv.URL(), "http://")
	want := []string{
		`level=INFO msg="uContact request" method=POST host=` + host + ` path=` + ucontact.PathGetUserToken + ` duration=\S+ status=200$`,
		`level=INFO msg="uContact request" method=POST host=` + host + ` path=` + ucontact.PathEndSession + ` duration=\S+ status=200$`,
		`level=WARN msg="uContact request failed" method=POST host=` + host + ` path=` + ucontact.PathAgentLogin + ` duration=\S+ err=`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), log.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %q", i, lines[i], re)
		}
	}
	for _, secret := range append(srv.Tokens(), testPassword, "user=", "password=") {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the log has %q:\n%s", secret, log.String())
		}
	}
}

// opened hears of a session before anything else happens with the answer,
// the call's log line included, and only of a session the server opened.
func TestOpenedComesFirst(t *testing.T) {
	srv, _ := startFake(t, fake.Variant{})
	u, _ := ucontact.ParseServer(srv.URL())
	var heard []string // "opened" and "log", in order
	logger := slog.New(handlerFunc(func(r slog.Record) { heard = append(heard, "log") }))
	c := ucontact.NewClient(u, ucontact.Options{CallTimeout: 2 * time.Second, Logger: logger})

	var token ucontact.Token
	var extension string
	opened := func(tok ucontact.Token, ext string) {
		heard = append(heard, "opened")
		token, extension = tok, ext
	}
	ses, err := c.OpenAgentSession(context.Background(), testUser, testPassword, opened)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(heard, ",") != "opened,log" || token != ses.Token || extension != ses.Extension {
		t.Fatalf("heard %v with %q, %q; session %+v", heard, token, extension, ses)
	}
	heard = nil
	if _, err := c.OpenUserSession(context.Background(), testUser, "wrong", opened); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	if strings.Join(heard, ",") != "log" {
		t.Errorf("a refused login: heard %v", heard)
	}
}

type handlerFunc func(slog.Record)

func (h handlerFunc) Enabled(context.Context, slog.Level) bool      { return true }
func (h handlerFunc) Handle(_ context.Context, r slog.Record) error { h(r); return nil }
func (h handlerFunc) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h handlerFunc) WithGroup(string) slog.Handler                 { return h }
