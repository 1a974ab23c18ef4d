package ucontact_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

func TestBreak(t *testing.T) {
	srv, c := startFake(t, fake.Variant{})
	ses, err := c.OpenAgentSession(context.Background(), testUser, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartBreak(context.Background(), ses, "Almuerzo", "vuelvo 14h"); err != nil {
		t.Fatalf("StartBreak: %v", err)
	}
	if motive, _, ok := srv.Break(testUser); !ok || motive != "Almuerzo" {
		t.Fatalf("on the server: break %q (%v)", motive, ok)
	}
	if err := c.EndBreak(context.Background(), ses, "Almuerzo", 90*time.Second+999*time.Millisecond, ""); err != nil {
		t.Fatalf("EndBreak: %v", err)
	}
	if _, _, ok := srv.Break(testUser); ok {
		t.Fatal("still on a break on the server")
	}
	iface := "SIP/" + ses.Extension
	for _, tc := range []struct {
		path string
		want url.Values
	}{
		{ucontact.PathAgentBreak, url.Values{"agent": {testUser}, "interface": {iface}, "motive": {"Almuerzo"}, "message": {"vuelvo 14h"}}},
		{ucontact.PathAgentUnBreak, url.Values{"agent": {testUser}, "interface": {iface}, "motive": {"Almuerzo"}, "time": {"90"}}},
	} {
		reqs := srv.RequestsTo(tc.path)
		if len(reqs) != 1 {
			t.Fatalf("%d calls to %s, want 1", len(reqs), tc.path)
		}
		checkBreakRequest(t, reqs[0].Header, reqs[0].Query, reqs[0].Form, tc.want, ses.Token)
	}
	if s := srv.Sessions(); len(s) != 1 || s[0].Breaks != 1 || s[0].Ended != 0 {
		t.Errorf("sessions %+v: want the agent's open, with one break", s)
	}
}

// checkBreakRequest checks a break call's form, and that its token is in
// the Authorization header and nowhere else.
func checkBreakRequest(t *testing.T, h http.Header, query, form, want url.Values, tok ucontact.Token) {
	t.Helper()
	if form.Encode() != want.Encode() {
		t.Errorf("form %v, want %v", form, want)
	}
	if len(query) != 0 {
		t.Errorf("query string %v, want none", query)
	}
	if got := h.Get("Authorization"); got != "Basic "+string(tok) {
		t.Errorf("Authorization = %q", got)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		t.Errorf("Content-Type = %q", ct)
	}
	if strings.Contains(form.Encode()+query.Encode(), url.QueryEscape(string(tok))) || strings.Contains(fmt.Sprint(form, query), string(tok)) {
		t.Error("the token is in the form or the query string")
	}
}

// Breaks without a motive are a caller's mistake: nothing is sent.
func TestBreakWithoutMotive(t *testing.T) {
	srv, c := startFake(t, fake.Variant{})
	ses, err := c.OpenAgentSession(context.Background(), testUser, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, motive := range []string{"", " \t"} {
		if err := c.StartBreak(context.Background(), ses, motive, "x"); !errors.Is(err, ucontact.ErrNoMotive) {
			t.Errorf("StartBreak(%q) = %v, want ErrNoMotive", motive, err)
		}
		if err := c.EndBreak(context.Background(), ses, motive, time.Minute, "x"); !errors.Is(err, ucontact.ErrNoMotive) {
			t.Errorf("EndBreak(%q) = %v, want ErrNoMotive", motive, err)
		}
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d calls, want only the login", n)
	}
}

func TestBreakErrors(t *testing.T) {
	faults := append(sessionCallFaults(), callFault{"404", fake.Fault{Status: 404}, is(ucontact.ErrNoBreaks)})
	for _, tc := range faults {
		for _, path := range []string{ucontact.PathAgentBreak, ucontact.PathAgentUnBreak} {
			t.Run(tc.name+" "+path[strings.LastIndex(path, "/")+1:], func(t *testing.T) {
				srv, c := startFake(t, fake.Variant{})
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				ses, err := c.OpenAgentSession(ctx, testUser, testPassword, nil)
				if err != nil {
					t.Fatal(err)
				}
				if path == ucontact.PathAgentUnBreak {
					if err := c.StartBreak(ctx, ses, "Baño", ""); err != nil {
						t.Fatal(err)
					}
				}
				srv.Inject(path, tc.fault)
				if path == ucontact.PathAgentBreak {
					err = c.StartBreak(ctx, ses, "Baño", "")
				} else {
					err = c.EndBreak(ctx, ses, "Baño", time.Minute, "")
				}
				if !tc.check(err) {
					t.Fatalf("error = %#v (%v)", err, err)
				}
				for _, secret := range srv.Tokens() {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("message %q reveals the token", err)
					}
				}
			})
		}
	}
}

// What the fake refuses with "0", the client reports as ErrRefused.
func TestBreakRefused(t *testing.T) {
	srv, c := startFake(t, fake.Variant{})
	ctx := context.Background()
	ses, err := c.OpenAgentSession(ctx, testUser, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EndBreak(ctx, ses, "Almuerzo", time.Second, ""); !errors.Is(err, ucontact.ErrRefused) {
		t.Errorf("EndBreak while not on a break = %v, want ErrRefused", err)
	}
	if err := c.StartBreak(ctx, ses, "Siesta", ""); !errors.Is(err, ucontact.ErrRefused) {
		t.Errorf("StartBreak with a motive the tenant lacks = %v, want ErrRefused", err)
	}
	if err := c.EndAgentSession(ctx, ses, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.StartBreak(ctx, ses, "Almuerzo", ""); !errors.Is(err, ucontact.ErrSessionOver) {
		t.Errorf("StartBreak after the logoff = %v, want ErrSessionOver", err)
	}
	if _, _, ok := srv.Break(testUser); ok {
		t.Error("on a break on the server")
	}
}

// answer is how breakServer answers every call: with status and body, or,
// when hang is set, with nothing until the client gives up.
type answer struct {
	status int
	body   string
	hang   bool
}

// breakServer answers calls and keeps what it received.
type breakServer struct {
	answer answer

	mu   sync.Mutex
	got  []*http.Request
	form []url.Values
}

// received returns the calls so far and their forms.
func (b *breakServer) received() ([]*http.Request, []url.Values) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.got), slices.Clone(b.form)
}

func (b *breakServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(raw))
	b.mu.Lock()
	b.got = append(b.got, r)
	b.form = append(b.form, form)
	b.mu.Unlock()
	if b.answer.hang {
		<-r.Context().Done()
		return
	}
	w.WriteHeader(b.answer.status)
	io.WriteString(w, b.answer.body) //nolint:errcheck
}

// Every kind of answer, from a server that is not the fake.
func TestBreakAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer answer
		check  func(error) bool
	}{
		{"200 empty", answer{status: 200}, noError},
		{"200 OK", answer{status: 200, body: `{"status":"OK"}`}, noError},
		{"204", answer{status: 204}, noError},
		{"200 0", answer{status: 200, body: " 0\n"}, is(ucontact.ErrRefused)},
		{"401", answer{status: 401}, is(ucontact.ErrSessionOver)},
		{"404", answer{status: 404, body: "Not Found"}, is(ucontact.ErrNoBreaks)},
		{"500", answer{status: 500}, status(500)},
		{"503", answer{status: 503}, status(503)},
		{"403", answer{status: 403}, status(403)},
		{"timeout", answer{hang: true}, network(true)},
	} {
		for _, end := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s end=%v", tc.name, end), func(t *testing.T) {
				srv := &breakServer{answer: tc.answer}
				ts := httptest.NewServer(srv)
				defer ts.Close()
				c := newClient(t, ts.URL)
				ses := ucontact.AgentSession{Agent: "ana", Token: "YW5hOnRvay0xMjM=", Extension: "1001"}
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				want := url.Values{"agent": {"ana"}, "interface": {"SIP/1001"}, "motive": {"Capacitación"}, "message": {"curso & co"}}
				path := ucontact.PathAgentBreak
				var err error
				if end {
					path = ucontact.PathAgentUnBreak
					want.Set("time", "7199")
					err = c.EndBreak(ctx, ses, "Capacitación", 2*time.Hour-time.Nanosecond, "curso & co")
				} else {
					err = c.StartBreak(ctx, ses, "Capacitación", "curso & co")
				}
				if !tc.check(err) {
					t.Fatalf("error = %#v (%v)", err, err)
				}
				if err != nil && strings.Contains(err.Error(), string(ses.Token)) {
					t.Errorf("message %q reveals the token", err)
				}
				got, forms := srv.received()
				if len(got) != 1 {
					t.Fatalf("%d calls, want 1", len(got))
				}
				r := got[0]
				if r.Method != http.MethodPost || r.URL.Path != path {
					t.Errorf("%s %s, want POST %s", r.Method, r.URL.Path, path)
				}
				checkBreakRequest(t, r.Header, r.URL.Query(), forms[0], want, ses.Token)
			})
		}
	}
}

// time is the break's length in whole seconds, rounded down, never
// negative.
func TestEndBreakTime(t *testing.T) {
	srv := &breakServer{answer: answer{status: 200}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := newClient(t, ts.URL)
	ses := ucontact.AgentSession{Agent: "ana", Token: "YW5hOnRvay0xMjM=", Extension: "1001"}
	var want []string
	for _, tc := range []struct {
		took time.Duration
		want string
	}{
		{0, "0"},
		{999 * time.Millisecond, "0"},
		{time.Second, "1"},
		{1500 * time.Millisecond, "1"},
		{59*time.Second + 999*time.Millisecond, "59"},
		{-5 * time.Second, "0"},
		{8 * time.Hour, "28800"},
	} {
		if err := c.EndBreak(context.Background(), ses, "Baño", tc.took, ""); err != nil {
			t.Fatalf("EndBreak(%v): %v", tc.took, err)
		}
		want = append(want, tc.want)
	}
	_, forms := srv.received()
	var got []string
	for _, f := range forms {
		got = append(got, f.Get("time"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("time sent %q, want %q", got, want)
	}
}

func noError(err error) bool { return err == nil }
