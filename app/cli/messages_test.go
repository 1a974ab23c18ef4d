package cli

import (
	"slices"
	"testing"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

// unexpectedOnPurpose are the kinds of error that exit with ExitUnexpected
// on purpose: trouble of this computer (its keyring, its disk, the app
// closing) that is neither the user's input nor the server's answer.
// A login given up (from the window) is the user's choice and no failure,
// but not the success a command reports with 0 either.
var unexpectedOnPurpose = []session.Code{
	session.CodeBusy,
	session.CodeTokenLost,
	session.CodeStoring,
	session.CodeLoginInterrupted,
	session.CodeDamagedRecord,
	session.CodeClosed,
	session.CodeKeyringTimeout,
	session.CodeKeyring,
	session.CodeCancelled,
	session.CodeLoginCancelled,
}

// Every kind of error has its exit code, or is listed above: a code added
// to the session's table without one fails here.
func TestEveryErrorCodeHasAnExitCode(t *testing.T) {
	kinds := session.ErrorKinds()
	for _, kind := range kinds {
		code, mapped := exitCodes[kind]
		onPurpose := slices.Contains(unexpectedOnPurpose, kind)
		switch {
		case !mapped && !onPurpose:
			t.Errorf("%q has no exit code", kind)
		case mapped && onPurpose:
			t.Errorf("%q exits with %d, and is listed as unexpected on purpose", kind, code)
		case mapped && (code == ExitOK || code == ExitUnexpected):
			t.Errorf("%q exits with %d", kind, code)
		}
	}
	for kind := range exitCodes {
		if !slices.Contains(kinds, kind) {
			t.Errorf("exit code of %q, which is no kind of error code", kind)
		}
	}
	for _, kind := range unexpectedOnPurpose {
		if !slices.Contains(kinds, kind) {
			t.Errorf("%q is listed as unexpected on purpose, and is no kind of error code", kind)
		}
	}
}

// The exit code follows the code's kind, whatever its argument, also for an
// error that came from the tray app.
func TestExitCodeOfARemoteError(t *testing.T) {
	c := &command{msg: i18n.MustNew(i18n.English)}
	for code, want := range map[session.Code]int{
		session.CodeStatus.With("503"):        ExitServer,
		session.CodeLocked.With("kind:agent"): ExitUsage,
		session.CodeWrongCredentials:          ExitCredentials,
		session.CodeKeyring:                   ExitUnexpected,
		session.Code("something-new"):         ExitUnexpected,
	} {
		if _, got := c.describe(session.ErrorFromCode(code, "text"), session.Snapshot{}); got != want {
			t.Errorf("%q exits with %d, want %d", code, got, want)
		}
	}
}
