package ucontact

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

var goodToken = base64.StdEncoding.EncodeToString([]byte("ana:6f1c1e5e-6a4b-4a53-9d59-0a5b8f0e9d11"))

func TestParseLoginAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		shape   loginShape
		wantTok string
		wantExt string
		wantErr error // ErrWrongCredentials, or nil; protocol errors set wantProto
		proto   bool
	}{
		{name: "array, token last", body: `["OK","ana","` + goodToken + `"]`, wantTok: goodToken},
		{name: "array, token last string before non-strings", body: `[{"a":1},"` + goodToken + `",{"b":2}]`, wantTok: goodToken},
		{name: "bare string", body: ` "` + goodToken + `"` + "\n", wantTok: goodToken},
		{name: "UserLogin index 2", body: `[{},{},"` + goodToken + `"]`, shape: shapeUserLogin, wantTok: goodToken},
		{name: "agent object", body: `{"md5secret":"abc123","callerid":"1001","secret":"sip"}`, shape: shapeAgentLogin, wantTok: "abc123", wantExt: "1001"},
		{name: "agent callerid number", body: `{"md5secret":"abc123","callerid":1001}`, shape: shapeAgentLogin, wantTok: "abc123", wantExt: "1001"},
		{name: "object for user login", body: `{"md5secret":"` + goodToken + `"}`, wantTok: goodToken},
		{name: "zero", body: "0", wantErr: ErrWrongCredentials},
		{name: "zero with space", body: "\r\n 0 \n", wantErr: ErrWrongCredentials},
		{name: "zero agent", body: "0", shape: shapeAgentLogin, wantErr: ErrWrongCredentials},
		{name: "empty", body: "  ", proto: true},
		{name: "html", body: "<html>502</html>", proto: true},
		{name: "two values", body: `"a" "b"`, proto: true},
		{name: "array no strings", body: `[1,2]`, proto: true},
		{name: "UserLogin short", body: `["x"]`, shape: shapeUserLogin, proto: true},
		{name: "UserLogin wrong type", body: `[{},{},3]`, shape: shapeUserLogin, proto: true},
		{name: "not base64", body: `"abc$"`, proto: true},
		{name: "base64 without colon", body: `"` + base64.StdEncoding.EncodeToString([]byte("nocolon")) + `"`, proto: true},
		{name: "header injection", body: `"YW5h\r\nX: y"`, proto: true},
		{name: "agent without callerid", body: `{"md5secret":"abc"}`, shape: shapeAgentLogin, proto: true},
		{name: "agent callerid with slash", body: `{"md5secret":"abc","callerid":"10/01"}`, shape: shapeAgentLogin, proto: true},
		{name: "agent string", body: `"` + goodToken + `"`, shape: shapeAgentLogin, proto: true},
		{name: "number", body: `42`, proto: true},
		{name: "null", body: `null`, proto: true},
		{name: "huge token", body: `"` + strings.Repeat("A", 5000) + `"`, proto: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := parseLoginAnswer([]byte(tc.body), tc.shape)
			switch {
			case tc.proto:
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("error = %v, want a ProtocolError", err)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error = %v, want %v", err, tc.wantErr)
				}
			case err != nil:
				t.Fatalf("error = %v", err)
			default:
				if string(ans.Token) != tc.wantTok || ans.Extension != tc.wantExt {
					t.Errorf("= %q/%q, want %q/%q", string(ans.Token), ans.Extension, tc.wantTok, tc.wantExt)
				}
			}
		})
	}
}

// A protocol error describes JSON answers by shape only: an agent record
// carries the SIP secret in clear text.
func TestProtocolErrorsQuoteNoJSONValues(t *testing.T) {
	for _, body := range []string{
		`{"secret":"SIPSECRET","callerid":"1"}`,
		`{"md5secret":"SIPSECRET x","callerid":"1"}`,
		`["SIPSECRET"]`,
		`[{},{},"SIPSECRET"]`,
	} {
		for _, shape := range []loginShape{shapeGetUserToken, shapeUserLogin, shapeAgentLogin} {
			_, err := parseLoginAnswer([]byte(body), shape)
			if err != nil && strings.Contains(err.Error(), "SIPSECRET") {
				t.Errorf("%s (shape %d): %v", body, shape, err)
			}
		}
	}
}

func FuzzParseLoginAnswer(f *testing.F) {
	for _, s := range []string{"0", `["a","` + goodToken + `"]`, `"` + goodToken + `"`, `[{},{},"x"]`, `{"md5secret":"a","callerid":"1"}`, "<html>", `{"secret":"x"}`, "", "[", `"\u0000"`} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, body []byte, s uint8) {
		shape := loginShape(s % 3)
		ans, err := parseLoginAnswer(body, shape)
		if err != nil {
			var pe *ProtocolError
			if !errors.Is(err, ErrWrongCredentials) && !errors.As(err, &pe) {
				t.Fatalf("untyped error %v", err)
			}
			if ans != (loginAnswer{}) {
				t.Fatalf("error %v with an answer", err)
			}
			return
		}
		if err := checkToken(string(ans.Token), shape != shapeAgentLogin); err != nil {
			t.Fatalf("accepted a token that fails its own check: %v", err)
		}
		if shape == shapeAgentLogin && ans.Extension == "" {
			t.Fatal("agent answer without extension")
		}
	})
}
