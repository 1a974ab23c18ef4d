package settings

import (
	"fmt"
	"strings"
)

// LockedError is a request to change a choice the computer's administrator
// fixed in the presets: Setting is KeyServer, KeyKind or KeyAutostart,
// Value what it is fixed to (AllUsers for an autostart the administrator
// set up for every user of the computer).
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

// lockedCode is the kind of the code a LockedError crosses processes with:
// session.CodeLocked, named here because the session layer sits below the
// settings and is not imported by them.
const lockedCode = "locked"

// ErrorCode is the code the error crosses processes with (see
// session.ErrorCoder): "locked:" and the argument LockedFromArg reads.
func (e *LockedError) ErrorCode() string { return lockedCode + ":" + e.Setting + ":" + e.Value }

// LockedFromArg is the LockedError whose code had the argument arg, as the
// process that receives it sees it.
func LockedFromArg(arg string) *LockedError {
	setting, value, _ := strings.Cut(arg, ":")
	return &LockedError{Setting: setting, Value: value}
}
