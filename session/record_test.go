package session

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// A failure recorded by one process is the same kind of error when the next
// one reads it, so it can be explained in the user's language.
func TestFailureSurvivesTheRecord(t *testing.T) {
	for _, err := range []error{
		&ucontact.StatusError{Op: "EndSession", Status: 503},
		&ucontact.NetworkError{Op: "EndSession", Timeout: true, Err: context.DeadlineExceeded},
		&ucontact.NetworkError{Op: "EndSession", Err: errors.New("connection refused")},
		fmt.Errorf("AgentLogoff: %w", ucontact.ErrRefused),
		&ucontact.ProtocolError{Op: "x", Detail: "y"},
		secrets.ErrTimeout,
		fmt.Errorf("%w: no bus", secrets.ErrUnavailable),
	} {
		back := failureError(failureCode(err), err.Error())
		if failureCode(back) != failureCode(err) || failureCode(err) == "" {
			t.Errorf("%v: code %q came back as %q (%T)", err, failureCode(err), failureCode(back), back)
		}
	}
	if failureCode(errors.New("other")) != "" {
		t.Error("an unknown error got a code")
	}
}
