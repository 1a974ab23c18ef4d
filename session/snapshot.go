package session

import "time"

// State is where the session stands.
type State int

const (
	LoggedOut State = iota
	LoggingIn
	LoggedIn
	LoggingOut
	// LogoutPending means the server could not confirm the end of the
	// session. The record is kept and the logout is retried until it is.
	LogoutPending
)

var stateNames = [...]string{"logged-out", "logging-in", "logged-in", "logging-out", "logout-pending"}

// String is the state's stable name, as `status --json` prints it.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// ParseState reads a state's name, as String writes it.
func ParseState(name string) (State, bool) {
	for i, n := range stateNames {
		if n == name {
			return State(i), true
		}
	}
	return LoggedOut, false
}

// Busy reports whether an operation is under way.
func (s State) Busy() bool { return s == LoggingIn || s == LoggingOut }

// Snapshot is the session as the UI shows it. It holds nothing secret.
type Snapshot struct {
	State     State
	Server    string // base URL; empty when logged out
	User      string
	Kind      Kind
	Since     time.Time
	Extension string // agent sessions: the phone extension

	// Break, in an agent session, is the break the agent is on; nil when
	// not on one. It is never changed in place: a new break is a new value.
	Break *Break
	// NoBreaks means the server said it has no breaks (see
	// ucontact.ErrNoBreaks): a break is not offered in this session.
	NoBreaks bool

	// While a logout is pending.
	PendingSince time.Time
	Attempts     int
	NextRetry    time.Time // zero when no retry is scheduled

	// TokenFile is set when no keyring was available and the token is kept
	// in this file instead.
	TokenFile string
	// LastError is why the last login or logout failed.
	LastError error
	// Warning is a problem that did not stop the last operation (password
	// not remembered, token left in a file, a damaged record set aside).
	Warning error
}
