package ucontact

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CloudSuffix is the domain of uContact's cloud instances.
const CloudSuffix = ".ucontactcloud.com"

// ErrInvalidServer is wrapped by every error of ParseServer.
var ErrInvalidServer = errors.New("invalid server")

// ParseServer turns what a user typed into the base URL of a uContact server.
// It accepts an instance name ("acme", or "acme.ucontactcloud.com"), which
// becomes https://acme.ucontactcloud.com, or a full https:// address of an
// on-premise server. Plain http:// is accepted for loopback addresses only
// (tests, the demo server). Nothing typed can change the host in other ways:
// no paths, credentials, queries or fragments.
func ParseServer(input string) (*url.URL, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidServer)
	}
	if !strings.Contains(s, "://") {
		name := strings.TrimSuffix(strings.ToLower(s), CloudSuffix)
		if !isDNSLabel(name) {
			return nil, fmt.Errorf("%w: %q is not an instance name (letters, digits and '-') nor an https:// address", ErrInvalidServer, s)
		}
		return &url.URL{Scheme: "https", Host: name + CloudSuffix}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not an address", ErrInvalidServer, s)
	}
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("%w: the address must not contain a user or password", ErrInvalidServer)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("%w: the address must not contain '?' or '#'", ErrInvalidServer)
	case u.Path != "" && u.Path != "/":
		return nil, fmt.Errorf("%w: the address must be a server only, without a path", ErrInvalidServer)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%w: %q names no host", ErrInvalidServer, s)
	}
	host := strings.ToLower(u.Hostname())
	if !isHostname(host) && net.ParseIP(host) == nil {
		return nil, fmt.Errorf("%w: %q is not a valid host name", ErrInvalidServer, u.Hostname())
	}
	if port := u.Port(); port != "" && !isPort(port) {
		return nil, fmt.Errorf("%w: %q is not a valid port", ErrInvalidServer, port)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(host) {
			return nil, fmt.Errorf("%w: http:// is only allowed for this computer (127.0.0.1, localhost); use https://", ErrInvalidServer)
		}
	default:
		return nil, fmt.Errorf("%w: scheme %q; use https://", ErrInvalidServer, u.Scheme)
	}
	return &url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host}, nil
}

// DisplayName is how a server is shown to a person: the instance name for a
// cloud server, the host otherwise.
func DisplayName(server *url.URL) string {
	if name, ok := strings.CutSuffix(server.Host, CloudSuffix); ok && server.Scheme == "https" {
		return name
	}
	return server.Host
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isHostname(host string) bool {
	if len(host) > 253 {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if !isDNSLabel(label) {
			return false
		}
	}
	return true
}

// isDNSLabel reports whether s is one DNS label: 1 to 63 letters, digits and
// hyphens, not starting or ending with a hyphen.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isPort(s string) bool {
	if len(s) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n > 0 && n <= 65535
}
