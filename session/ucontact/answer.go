package ucontact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"
)

// Token is a session token as the server issued it: already base64, sent back
// unchanged. It prints as a placeholder so that it cannot reach a log, an
// error or the screen by accident; string(t) is the value itself.
type Token string

const redacted = "[token]"

func (Token) String() string               { return redacted }
func (Token) GoString() string             { return redacted }
func (Token) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// maxTokenLen bounds a token: it travels in an HTTP header.
const maxTokenLen = 4096

// loginShape says where a login answer keeps its token.
type loginShape int

const (
	shapeGetUserToken loginShape = iota // JSON string, or array whose last string is the token
	shapeUserLogin                      // JSON array, token at index 2
	shapeAgentLogin                     // JSON object: md5secret, callerid
)

// loginAnswer is what a successful login answer carries.
type loginAnswer struct {
	Token     Token
	Extension string // agent sessions only: the callerid
}

// parseLoginAnswer reads the body of a login call. It never returns a value
// from the body in an error: JSON answers are described by their shape.
func parseLoginAnswer(body []byte, shape loginShape) (loginAnswer, error) {
	body = bytes.TrimSpace(body)
	if string(body) == "0" {
		return loginAnswer{}, ErrWrongCredentials
	}
	if len(body) == 0 {
		return loginAnswer{}, protocolDetail("empty answer")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return loginAnswer{}, protocolDetail("not JSON: " + excerpt(body))
	}
	var ans loginAnswer
	var tok string
	switch x := v.(type) {
	case string:
		if shape == shapeAgentLogin {
			return loginAnswer{}, protocolDetail("a JSON string where the agent record was expected")
		}
		tok = x
	case []any:
		switch shape {
		case shapeGetUserToken:
			for _, e := range slices.Backward(x) {
				if s, ok := e.(string); ok {
					tok = s
					break
				}
			}
			if tok == "" {
				return loginAnswer{}, protocolDetail(fmt.Sprintf("a JSON array of %d elements with no token in it", len(x)))
			}
		case shapeUserLogin:
			if len(x) < 3 {
				return loginAnswer{}, protocolDetail(fmt.Sprintf("a JSON array of %d elements; the token should be the third", len(x)))
			}
			s, ok := x[2].(string)
			if !ok {
				return loginAnswer{}, protocolDetail("a JSON array whose third element is " + jsonKind(x[2]) + ", not the token")
			}
			tok = s
		default:
			return loginAnswer{}, protocolDetail("a JSON array where the agent record was expected")
		}
	case map[string]any:
		s, ok := x["md5secret"].(string)
		if !ok {
			return loginAnswer{}, protocolDetail("a JSON object without md5secret (fields: " + strings.Join(sortedKeys(x), ", ") + ")")
		}
		tok = s
		if shape == shapeAgentLogin {
			ext, err := callerID(x["callerid"])
			if err != nil {
				return loginAnswer{}, err
			}
			ans.Extension = ext
		}
	default:
		return loginAnswer{}, protocolDetail("a JSON " + jsonKind(v) + " instead of a token")
	}
	if err := checkToken(tok, shape != shapeAgentLogin); err != nil {
		return loginAnswer{}, err
	}
	ans.Token = Token(tok)
	return ans, nil
}

// checkToken keeps what would break the Authorization header, or is plainly
// not a token, from being taken as one. User tokens are base64("user:uuid")
// by the spec; agent tokens (md5secret) have no documented form.
func checkToken(tok string, userToken bool) error {
	if tok == "" {
		return protocolDetail("an empty token")
	}
	if len(tok) > maxTokenLen {
		return protocolDetail(fmt.Sprintf("a token of %d bytes", len(tok)))
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] <= ' ' || tok[i] >= 0x7f {
			return protocolDetail("a token with spaces or characters outside ASCII")
		}
	}
	if !userToken {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return protocolDetail("a token that is not base64")
	}
	if before, after, ok := bytes.Cut(raw, []byte(":")); !ok || len(before) == 0 || len(after) == 0 {
		return protocolDetail("a token that does not decode to user:id")
	}
	return nil
}

// callerID reads the agent's extension. It becomes part of the interface
// name "SIP/<callerid>", so only a short run of safe characters is accepted.
func callerID(v any) (string, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	case nil:
		return "", protocolDetail("an agent record without callerid")
	default:
		return "", protocolDetail("an agent record whose callerid is " + jsonKind(v))
	}
	if s == "" || len(s) > 64 {
		return "", protocolDetail("an agent record with an empty or overlong callerid")
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("-_.+", r)) {
			return "", protocolDetail("an agent record whose callerid has unexpected characters")
		}
	}
	return s, nil
}

// protocolDetail is a ProtocolError whose Op the caller fills in.
func protocolDetail(detail string) *ProtocolError { return &ProtocolError{Detail: detail} }

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if len(keys) == 12 {
			keys = append(keys, "…")
			break
		}
		keys = append(keys, excerptString(k, 24))
	}
	slices.Sort(keys)
	return keys
}

// excerpt quotes the start of a non-JSON answer (an HTML error page, a proxy
// message) so a person can tell what answered.
func excerpt(body []byte) string {
	return excerptString(string(body), 60)
}

func excerptString(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if count == n {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || r < ' ' || r == 0x7f {
			r = ' '
		}
		b.WriteRune(r)
		count++
	}
	return fmt.Sprintf("%q", strings.Join(strings.Fields(b.String()), " "))
}
