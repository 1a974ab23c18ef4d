package cli

import (
	"errors"
	"strings"

	"ucontact-tray/app/messages"
	"ucontact-tray/session"
)

// exitCodes maps error codes (session.ErrorCode) to exit codes; what is not
// here is ExitUnexpected.
var exitCodes = map[string]int{
	"wrong-credentials": ExitCredentials,
	"invalid-server":    ExitUsage,
	"empty-user":        ExitUsage,
	"empty-password":    ExitUsage,
	"invalid-kind":      ExitUsage,
	"locked":            ExitUsage,
	"already-logged-in": ExitNothingToDo,
	"not-logged-in":     ExitNothingToDo,
	"logout-pending":    ExitServer,
	"redirect":          ExitServer,
	"certificate":       ExitServer,
	"status":            ExitServer,
	"timeout":           ExitServer,
	"unreachable":       ExitServer,
	"protocol":          ExitServer,
	"refused":           ExitServer,
}

// describe turns an error into one line in the user's language and the exit
// code it stands for. s is the session it happened to, for names in the text.
func (c *command) describe(err error, s session.Snapshot) (string, int) {
	if errors.Is(err, errNoConfigDir) {
		return c.msg.T("err.no_config_dir"), ExitUnexpected
	}
	if msg, ok := c.describeTrust(err); ok {
		return msg, ExitUsage
	}
	kind, _, _ := strings.Cut(session.ErrorCode(err), ":")
	code, ok := exitCodes[kind]
	if !ok {
		code = ExitUnexpected
	}
	return messages.Describe(c.msg, err, s), code
}
