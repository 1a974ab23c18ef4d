//go:build !linux

package notify

import (
	"context"
	"errors"
)

// Desktop is not implemented on this platform yet: the caller logs the
// message instead.
type Desktop struct {
	AppName string
}

// Notify reports that notifications are not available here.
func (Desktop) Notify(context.Context, string, string) error {
	return errors.New("desktop notifications are not implemented on this platform")
}
