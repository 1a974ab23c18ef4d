package notify

import (
	"context"
	"errors"
)

// Desktop is not implemented on macOS yet: the caller logs the message.
type Desktop struct {
	AppName string
}

// Notify reports that notifications are not available here.
func (Desktop) Notify(context.Context, string, string) error {
	return errors.New("desktop notifications are not implemented on macOS yet")
}
