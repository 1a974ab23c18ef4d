package session

import "fmt"

// LockedError is a request to change a choice the computer's administrator
// fixed (see internal/settings' presets): Setting is "server", "kind" or
// "autostart", Value what it is fixed to.
type LockedError struct {
	Setting string
	Value   string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is fixed by the administrator to %q", e.Setting, e.Value)
}
