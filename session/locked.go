package session

import "fmt"

// LockedError is a request to change a choice the computer's administrator
// fixed (see internal/settings' presets): Setting is "server", "kind" or
// "autostart", Value what it is fixed to (AllUsers for an autostart the
// administrator set up for every user of the computer).
type LockedError struct {
	Setting string
	Value   string
}

// AllUsers is the Value of a LockedError about autostart when the
// administrator starts the app for every user of the computer (the
// installer's all-users entry), which no user can turn off.
const AllUsers = "all-users"

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is fixed by the administrator to %q", e.Setting, e.Value)
}
