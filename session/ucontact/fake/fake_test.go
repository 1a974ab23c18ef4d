package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ucontact-tray/session/ucontact"
)

func post(t *testing.T, srv *Server, path, query string, form url.Values, auth string) (int, string) {
	t.Helper()
	target := srv.URL() + path
	if query != "" {
		target += "?" + query
	}
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", "Basic "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Real clients send EndSession's fields in the body or in the query string;
// the fake reads either, or only the one a test selects.
func TestEndSessionFieldSources(t *testing.T) {
	for _, tc := range []struct {
		source    FieldSource
		inQuery   bool
		wantEnded bool
	}{
		{FromEither, false, true},
		{FromEither, true, true},
		{FromBody, false, true},
		{FromBody, true, false},
		{FromQuery, true, true},
		{FromQuery, false, false},
	} {
		srv := New(Variant{TokenStyle: TokenString, EndSessionFrom: tc.source})
		srv.AddUser("ana", "pw")
		if _, err := srv.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		_, body := post(t, srv, ucontact.PathGetUserToken, "", url.Values{"user": {"ana"}, "password": {"pw"}}, "")
		tok := strings.Trim(body, `"`)
		fields := url.Values{"user": {"ana"}, "token": {tok}}
		var status int
		if tc.inQuery {
			status, _ = post(t, srv, ucontact.PathEndSession, fields.Encode(), nil, tok)
		} else {
			status, _ = post(t, srv, ucontact.PathEndSession, "", fields, tok)
		}
		if ended := status == http.StatusOK; ended != tc.wantEnded {
			t.Errorf("source %d, in query %v: status %d", tc.source, tc.inQuery, status)
		}
		srv.Close()
	}
}

func TestFaultTimes(t *testing.T) {
	srv := New(Variant{})
	srv.AddUser("ana", "pw")
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Inject(ucontact.PathGetUserToken, Fault{Status: 503, Times: 2})
	form := url.Values{"user": {"ana"}, "password": {"pw"}}
	var got []int
	for range 3 {
		status, _ := post(t, srv, ucontact.PathGetUserToken, "", form, "")
		got = append(got, status)
	}
	if got[0] != 503 || got[1] != 503 || got[2] != 200 {
		t.Errorf("statuses %v, want 503 503 200", got)
	}
	if n := len(srv.RequestsTo(ucontact.PathGetUserToken)); n != 3 {
		t.Errorf("%d requests recorded", n)
	}
	if n := len(srv.Sessions()); n != 1 {
		t.Errorf("%d sessions opened, want 1", n)
	}
}

func TestWrongPasswordAnswersZero(t *testing.T) {
	srv := NewDemo()
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tc := range []struct{ path, field string }{{ucontact.PathGetUserToken, "user"}, {ucontact.PathAgentLogin, "agent"}} {
		if status, body := post(t, srv, tc.path, "", url.Values{tc.field: {DemoUser}, "password": {"x"}}, ""); status != 200 || body != "0" {
			t.Errorf("%s: %d %q", tc.path, status, body)
		}
	}
}

func TestConnectionsAndAnswerTimes(t *testing.T) {
	s := New(Variant{})
	s.AddUser("ana", "pw")
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Inject(ucontact.PathGetUserToken, Fault{Latency: 20 * time.Millisecond, Times: 1})
	client := &http.Client{}
	for range 2 {
		resp, err := client.PostForm(base+ucontact.PathGetUserToken, url.Values{"user": {"ana"}, "password": {"pw"}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("%d connections for two calls on one kept-alive connection", n)
	}
	reqs := s.RequestsTo(ucontact.PathGetUserToken)
	if len(reqs) != 2 || reqs[0].Answered.Sub(reqs[0].At) < 20*time.Millisecond || reqs[1].Answered.Before(reqs[1].At) {
		t.Errorf("answer times: %+v", reqs)
	}
}

// startAna starts a server where ana is a user and an agent; user logins
// answer the token as a bare JSON string.
func startAna(t *testing.T) *Server {
	t.Helper()
	srv := New(Variant{TokenStyle: TokenString})
	srv.AddUser("ana", "pw")
	srv.AddAgent("ana", "pw")
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// endCall is the call that ends a session.
type endCall struct {
	path string
	form url.Values
	tok  string // sent in the Authorization header
}

// login opens a session of kind ("user" or "agent") for ana and returns the
// call that ends it.
func login(t *testing.T, srv *Server, kind string) endCall {
	t.Helper()
	if kind == "agent" {
		status, body := post(t, srv, ucontact.PathAgentLogin, "", url.Values{"agent": {"ana"}, "password": {"pw"}}, "")
		var a struct{ Md5secret, Callerid string }
		if err := json.Unmarshal([]byte(body), &a); status != http.StatusOK || err != nil {
			t.Fatalf("AgentLogin: %d %v", status, err)
		}
		return endCall{ucontact.PathAgentLogoff, url.Values{"agent": {"ana"}, "interface": {"SIP/" + a.Callerid}}, a.Md5secret}
	}
	status, body := post(t, srv, ucontact.PathGetUserToken, "", url.Values{"user": {"ana"}, "password": {"pw"}}, "")
	if status != http.StatusOK {
		t.Fatalf("getUserToken: %d", status)
	}
	tok := strings.Trim(body, `"`)
	return endCall{ucontact.PathEndSession, url.Values{"user": {"ana"}, "token": {tok}}, tok}
}

// Ended counts every end call that names the session, so that a client
// ending a session twice shows as 2; a 401 fault on an end call means the
// server had ended the session itself, and the fake's record agrees.
func TestEndCallsAreCounted(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fault       *Fault
		wantStatus  []int // of two end calls
		wantExpired bool
	}{
		{name: "ended, then ended again", wantStatus: []int{200, 401}},
		{name: "refused by a 503", fault: &Fault{Status: 503, Times: 1}, wantStatus: []int{503, 200}},
		{name: "dropped", fault: &Fault{Drop: true, Times: 1}, wantStatus: []int{0, 200}},
		{name: "expired: 401", fault: &Fault{Status: 401, Times: 1}, wantStatus: []int{401, 401}, wantExpired: true},
	} {
		for _, kind := range []string{"user", "agent"} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				srv := startAna(t)
				end := login(t, srv, kind)
				if tc.fault != nil {
					srv.Inject(end.path, *tc.fault)
				}
				var statuses, ended []int
				for range 2 {
					statuses = append(statuses, postStatus(srv, end.path, end.form, end.tok))
					ended = append(ended, srv.Sessions()[0].Ended)
				}
				if fmt.Sprint(statuses) != fmt.Sprint(tc.wantStatus) {
					t.Errorf("statuses %v, want %v", statuses, tc.wantStatus)
				}
				// Calls the server did not act on (503, dropped) do not count.
				wantEnded := []int{1, 2}
				if tc.fault != nil && !tc.wantExpired {
					wantEnded = []int{0, 1}
				}
				if fmt.Sprint(ended) != fmt.Sprint(wantEnded) {
					t.Errorf("Ended after each call %v, want %v", ended, wantEnded)
				}
				if got := srv.Sessions()[0].Expired; got != tc.wantExpired {
					t.Errorf("Expired = %v, want %v", got, tc.wantExpired)
				}
				if open := srv.OpenSessions(); len(open) != 0 {
					t.Errorf("open sessions %+v", open)
				}
			})
		}
	}
}

// postStatus is post for calls that may get no answer: 0 means none.
func postStatus(srv *Server, path string, form url.Values, auth string) int {
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A 401 to a call that names no session (a login, an unknown token) ends
// nothing.
func TestUnauthorizedFaultElsewhereEndsNothing(t *testing.T) {
	srv := startAna(t)
	tok := login(t, srv, "user").tok
	srv.Inject(ucontact.PathEndSession, Fault{Status: 401, Times: 1})
	if status := postStatus(srv, ucontact.PathEndSession, url.Values{"user": {"ana"}, "token": {"bm9wZQ=="}}, "bm9wZQ=="); status != 401 {
		t.Fatalf("status %d", status)
	}
	srv.Inject(ucontact.PathGetUserToken, Fault{Status: 401, Times: 1})
	if status := postStatus(srv, ucontact.PathGetUserToken, url.Values{"user": {"ana"}, "password": {"pw"}}, tok); status != 401 {
		t.Fatalf("status %d", status)
	}
	if s := srv.Sessions(); len(s) != 1 || s[0].Ended != 0 || s[0].Expired {
		t.Errorf("sessions %+v: want ana's still open", s)
	}
}

func TestFaultFunc(t *testing.T) {
	srv := startAna(t)
	var asked []string
	srv.SetFaultFunc(func(path string) (Fault, bool) {
		asked = append(asked, path) // safe: called under the server's lock
		return Fault{Status: 502}, true
	})
	srv.Inject(ucontact.PathGetUserToken, Fault{Status: 503, Times: 1})
	form := url.Values{"user": {"ana"}, "password": {"pw"}}
	var got []int
	for range 2 {
		status, _ := post(t, srv, ucontact.PathGetUserToken, "", form, "")
		got = append(got, status)
	}
	srv.ClearFaults()
	status, _ := post(t, srv, ucontact.PathGetUserToken, "", form, "")
	got = append(got, status)
	if fmt.Sprint(got) != "[503 502 200]" {
		t.Errorf("statuses %v, want the queued fault, the function's, then none after ClearFaults", got)
	}
	if len(asked) != 1 || asked[0] != ucontact.PathGetUserToken {
		t.Errorf("function asked for %v", asked)
	}
}

func TestAwait(t *testing.T) {
	srv := New(Variant{})
	srv.AddUser("ana", "pw")
	base, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done := make(chan error, 1)
	go func() {
		done <- srv.Await(context.Background(), func() bool { return len(srv.OpenSessions()) == 1 })
	}()
	resp, err := http.PostForm(base+"/Integra/resources/auth/getUserToken", url.Values{"user": {"ana"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Await(ctx, func() bool { return false }); err == nil {
		t.Error("Await of a condition never true returned nil")
	}
}

// breakCalls are ana's break calls for the agent session that end closes.
type breakCalls struct {
	form url.Values // agent and interface
	tok  string
}

func breaksOf(end endCall) breakCalls {
	return breakCalls{url.Values{"agent": end.form["agent"], "interface": end.form["interface"]}, end.tok}
}

// with is the calls' form plus the given fields, as "name", "value" pairs.
func (b breakCalls) with(fields ...string) url.Values {
	form := url.Values{}
	for k, v := range b.form {
		form[k] = v
	}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return form
}

func TestBreaks(t *testing.T) {
	srv := startAna(t)
	b := breaksOf(login(t, srv, "agent"))
	type step struct {
		name   string
		path   string
		form   url.Values
		tok    string
		status int
		body   string
		motive string // the break ana is on after the step; "" none
	}
	steps := []step{
		{"end while not on a break", ucontact.PathAgentUnBreak, b.with("motive", "Almuerzo", "time", "3"), b.tok, 200, "0", ""},
		{"a motive the tenant lacks", ucontact.PathAgentBreak, b.with("motive", "Siesta"), b.tok, 200, "0", ""},
		{"no motive", ucontact.PathAgentBreak, b.with(), b.tok, 200, "0", ""},
		{"another agent's interface", ucontact.PathAgentBreak, b.with("motive", "Almuerzo", "interface", "SIP/9999"), b.tok, 200, "0", ""},
		{"unknown token", ucontact.PathAgentBreak, b.with("motive", "Almuerzo"), "bm9wZTp4", 401, "", ""},
		{"start", ucontact.PathAgentBreak, b.with("motive", "Almuerzo", "message", "vuelvo 14h"), b.tok, 200, "", "Almuerzo"},
		{"end another break", ucontact.PathAgentUnBreak, b.with("motive", "Baño", "time", "3"), b.tok, 200, "0", "Almuerzo"},
		{"time not whole seconds", ucontact.PathAgentUnBreak, b.with("motive", "Almuerzo", "time", "2.5"), b.tok, 200, "0", "Almuerzo"},
		{"negative time", ucontact.PathAgentUnBreak, b.with("motive", "Almuerzo", "time", "-1"), b.tok, 200, "0", "Almuerzo"},
		{"switch to another break", ucontact.PathAgentBreak, b.with("motive", "Baño"), b.tok, 200, "", "Baño"},
		{"end", ucontact.PathAgentUnBreak, b.with("motive", "Baño", "time", "42"), b.tok, 200, "", ""},
		{"end again", ucontact.PathAgentUnBreak, b.with("motive", "Baño", "time", "43"), b.tok, 200, "0", ""},
	}
	for _, st := range steps {
		before := time.Now()
		status, body := post(t, srv, st.path, "", st.form, st.tok)
		if status != st.status || body != st.body {
			t.Errorf("%s: %d %q, want %d %q", st.name, status, body, st.status, st.body)
		}
		motive, since, ok := srv.Break("ana")
		if motive != st.motive || ok != (st.motive != "") {
			t.Errorf("%s: on break %q (%v), want %q", st.name, motive, ok, st.motive)
		}
		if st.path == ucontact.PathAgentBreak && st.status == 200 && st.body == "" && (since.Before(before) || since.After(time.Now())) {
			t.Errorf("%s: break began at %v, not during the call", st.name, since)
		}
	}
	if n := len(srv.RequestsTo(ucontact.PathAgentBreak)); n != 6 {
		t.Errorf("%d AgentBreak calls recorded, want 6", n)
	}
	if n := len(srv.RequestsTo(ucontact.PathAgentUnBreak)); n != 6 {
		t.Errorf("%d AgentUnBreak calls recorded, want 6", n)
	}
	if s := srv.Sessions(); len(s) != 1 || s[0].Breaks != 2 || s[0].Ended != 0 {
		t.Errorf("sessions %+v: want ana's open with 2 breaks", s)
	}
}

func TestBreakMotivesAreTheTenants(t *testing.T) {
	srv := startAna(t)
	if got := fmt.Sprint(srv.BreakMotives()); got != "[Almuerzo Baño Capacitación]" {
		t.Errorf("default motives %s", got)
	}
	srv.SetBreakMotives("Pausa activa")
	b := breaksOf(login(t, srv, "agent"))
	if _, body := post(t, srv, ucontact.PathAgentBreak, "", b.with("motive", "Almuerzo"), b.tok); body != "0" {
		t.Errorf("a motive no longer configured: %q, want 0", body)
	}
	if _, body := post(t, srv, ucontact.PathAgentBreak, "", b.with("motive", "Pausa activa"), b.tok); body != "" {
		t.Errorf("a configured motive: %q", body)
	}
	if motive, _, _ := srv.Break("ana"); motive != "Pausa activa" {
		t.Errorf("on break %q", motive)
	}
}

// A break ends with the session: by a logoff, or on the server's side (a
// 401 to a break call). After that, break calls get 401, and a logoff after
// a 401 to a break call is the session's one end call.
func TestBreakEndsWithTheSession(t *testing.T) {
	for _, tc := range []struct {
		how         string
		path        string // the call that ends the session
		fault       bool   // with a 401 injected
		wantExpired bool
	}{
		{how: "logoff", path: ucontact.PathAgentLogoff},
		{how: "401 to AgentBreak", path: ucontact.PathAgentBreak, fault: true, wantExpired: true},
		{how: "401 to AgentUnBreak", path: ucontact.PathAgentUnBreak, fault: true, wantExpired: true},
	} {
		t.Run(tc.how, func(t *testing.T) {
			srv := startAna(t)
			end := login(t, srv, "agent")
			b := breaksOf(end)
			if _, body := post(t, srv, ucontact.PathAgentBreak, "", b.with("motive", "Almuerzo"), b.tok); body != "" {
				t.Fatalf("AgentBreak: %q", body)
			}
			if tc.fault {
				srv.Inject(tc.path, Fault{Status: 401, Times: 1})
			}
			wantFirst := 200
			if tc.fault {
				wantFirst = 401
			}
			if status := postStatus(srv, tc.path, b.with("motive", "Almuerzo", "time", "1"), b.tok); status != wantFirst {
				t.Fatalf("the call that ends it: %d, want %d", status, wantFirst)
			}
			if _, _, ok := srv.Break("ana"); ok {
				t.Error("still on a break")
			}
			if n := len(srv.OpenSessions()); n != 0 {
				t.Errorf("%d open sessions", n)
			}
			ses := srv.Sessions()[0]
			wantEnded := 1
			if tc.fault {
				wantEnded = 0 // a break call is no end call
			}
			if ses.Expired != tc.wantExpired || ses.Ended != wantEnded {
				t.Errorf("session %+v: want Expired %v, Ended %d", ses, tc.wantExpired, wantEnded)
			}
			for _, path := range []string{ucontact.PathAgentBreak, ucontact.PathAgentUnBreak} {
				if status := postStatus(srv, path, b.with("motive", "Almuerzo", "time", "1"), b.tok); status != 401 {
					t.Errorf("%s after the end: %d, want 401", path, status)
				}
			}
			if status := postStatus(srv, end.path, end.form, end.tok); status != 401 {
				t.Errorf("AgentLogoff after the end: %d, want 401", status)
			}
			if got := srv.Sessions()[0].Ended; got != wantEnded+1 {
				t.Errorf("Ended %d after a logoff, want %d", got, wantEnded+1)
			}
		})
	}
}

// A user session shares its name with the agent, not its breaks.
func TestUserLogoutEndsNoBreak(t *testing.T) {
	srv := startAna(t)
	b := breaksOf(login(t, srv, "agent"))
	if _, body := post(t, srv, ucontact.PathAgentBreak, "", b.with("motive", "Baño"), b.tok); body != "" {
		t.Fatalf("AgentBreak: %q", body)
	}
	user := login(t, srv, "user")
	srv.Inject(ucontact.PathEndSession, Fault{Status: 401, Times: 1})
	postStatus(srv, user.path, user.form, user.tok)
	if motive, _, ok := srv.Break("ana"); !ok || motive != "Baño" {
		t.Errorf("on break %q (%v) after the user session expired", motive, ok)
	}
}

// A server without breaks: 404 to every break call, and nothing changes.
func TestNoBreaksFault(t *testing.T) {
	srv := startAna(t)
	b := breaksOf(login(t, srv, "agent"))
	srv.Inject(ucontact.PathAgentBreak, Fault{Status: 404})
	srv.Inject(ucontact.PathAgentUnBreak, Fault{Status: 404})
	for range 2 {
		for _, path := range []string{ucontact.PathAgentBreak, ucontact.PathAgentUnBreak} {
			if status := postStatus(srv, path, b.with("motive", "Almuerzo", "time", "1"), b.tok); status != 404 {
				t.Errorf("%s: %d, want 404", path, status)
			}
		}
	}
	if _, _, ok := srv.Break("ana"); ok {
		t.Error("on a break")
	}
	if s := srv.Sessions(); len(s) != 1 || s[0].Breaks != 0 || s[0].over() {
		t.Errorf("sessions %+v", s)
	}
}
