package ucontact

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the kind of session: the API opens and ends two, with calls of
// their own. Settings and presets keep it too, so it lives here, below
// everything that names one.
type Kind string

const (
	// KindUser is an API user session (getUserToken → EndSession).
	KindUser Kind = "user"
	// KindAgent is an agent on the phone line (AgentLogin → AgentLogoff):
	// until it ends, calls are routed to the agent.
	KindAgent Kind = "agent"
)

// ErrInvalidKind is a kind that is neither KindUser nor KindAgent.
var ErrInvalidKind = errors.New("session kind must be user or agent")

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k == KindUser || k == KindAgent }

// ParseKind reads a kind as typed on a command line or stored in settings,
// in any case and with spaces around it.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if !k.Valid() {
		return "", fmt.Errorf("%w: %q", ErrInvalidKind, s)
	}
	return k, nil
}
