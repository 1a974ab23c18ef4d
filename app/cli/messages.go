package cli

import (
	"errors"

	"ucontact-tray/app/messages"
	"ucontact-tray/session"
)

// exitCodes maps the kinds of error codes (session.ErrorCode) to exit
// codes; what is not here is ExitUnexpected.
var exitCodes = map[session.Code]int{
	session.CodeWrongCredentials: ExitCredentials,
	session.CodeInvalidServer:    ExitUsage,
	session.CodeEmptyUser:        ExitUsage,
	session.CodeEmptyPassword:    ExitUsage,
	session.CodeInvalidKind:      ExitUsage,
	session.CodeLocked:           ExitUsage,
	session.CodeAlreadyLoggedIn:  ExitNothingToDo,
	session.CodeNotLoggedIn:      ExitNothingToDo,
	session.CodeLogoutPending:    ExitServer,
	session.CodeRedirect:         ExitServer,
	session.CodeCertificate:      ExitServer,
	session.CodeStatus:           ExitServer,
	session.CodeTimeout:          ExitServer,
	session.CodeUnreachable:      ExitServer,
	session.CodeProtocol:         ExitServer,
	session.CodeRefused:          ExitServer,
	session.CodeSessionOver:      ExitServer,
	session.CodeNotAgent:         ExitUsage,
	session.CodeNoMotive:         ExitUsage,
	session.CodeOnBreak:          ExitNothingToDo,
	session.CodeNotOnBreak:       ExitNothingToDo,
	session.CodeNoBreaks:         ExitServer,
	session.CodeBreakRefused:     ExitServer,
	session.CodeBreakEndRefused:  ExitServer,
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
	code, ok := exitCodes[session.ErrorCode(err).Kind()]
	if !ok {
		code = ExitUnexpected
	}
	return messages.Describe(c.msg, err, s), code
}
