package fake

import (
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
