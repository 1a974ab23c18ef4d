package ucontact

import (
	"errors"
	"strings"
	"testing"
)

func TestParseServer(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means rejected
	}{
		{"acme", "https://acme.ucontactcloud.com"},
		{"  Acme-2 ", "https://acme-2.ucontactcloud.com"},
		{"acme.ucontactcloud.com", "https://acme.ucontactcloud.com"},
		{"https://ucontact.example.com", "https://ucontact.example.com"},
		{"https://ucontact.example.com/", "https://ucontact.example.com"},
		{"HTTPS://UContact.Example.com:8443", "https://UContact.Example.com:8443"},
		{"https://10.0.0.5", "https://10.0.0.5"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://localhost:1234", "http://localhost:1234"},
		{"http://[::1]:1234", "http://[::1]:1234"},
		{"", ""},
		{"evil.com/x", ""},
		{"evil.com", ""},
		{"acme.evil.com", ""},
		{"-acme", ""},
		{"acme-", ""},
		{"ac me", ""},
		{"acme/../x", ""},
		{"acme@evil.com", ""},
		{"http://ucontact.example.com", ""},
		{"http://10.0.0.5", ""},
		{"ftp://ucontact.example.com", ""},
		{"https://user:pw@ucontact.example.com", ""},
		{"https://ucontact.example.com/Integra", ""},
		{"https://ucontact.example.com?x=1", ""},
		{"https://ucontact.example.com#x", ""},
		{"https://", ""},
		{"https://bad_host.example.com", ""},
		{"https://ucontact.example.com:99999", ""},
		{"https://ucontact.example.com:0", ""},
		{strings.Repeat("a", 64), ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			u, err := ParseServer(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted as %v", u)
				}
				if !errors.Is(err, ErrInvalidServer) {
					t.Errorf("error %v does not wrap ErrInvalidServer", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if u.String() != tc.want {
				t.Errorf("= %v, want %v", u, tc.want)
			}
		})
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"acme":                         "acme",
		"https://ucontact.example.com": "ucontact.example.com",
		"http://127.0.0.1:9":           "127.0.0.1:9",
	} {
		u, err := ParseServer(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := DisplayName(u); got != want {
			t.Errorf("DisplayName(%v) = %q, want %q", u, got, want)
		}
	}
}

func FuzzParseServer(f *testing.F) {
	for _, s := range []string{"acme", "https://ucontact.example.com:8443/", "http://127.0.0.1:1", "evil.com/x", "https://a@b", "http://[::1]:80", "acme.ucontactcloud.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		u, err := ParseServer(in)
		if err != nil {
			return
		}
		if u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q gave %#v", in, u)
		}
		if u.Scheme == "http" && !isLoopback(strings.ToLower(u.Hostname())) {
			t.Fatalf("%q: http to a non-loopback host %v", in, u)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("%q: scheme %q", in, u.Scheme)
		}
		// What ParseServer returns must parse to itself: nothing typed can
		// sneak a different host in on a second reading.
		again, err := ParseServer(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("%q -> %v -> %v, %v", in, u, again, err)
		}
	})
}
