// Package notify shows desktop notifications from the resident process, for
// what happened without the user asking: a session left open by a crash was
// ended, a logout failed and is pending, a pending logout completed; and a
// warning the user can still act on, shown for a while and then replaced or
// withdrawn (Replacer).
package notify

import (
	"context"
	"time"
)

// Notifier shows a notification.
type Notifier interface {
	Notify(ctx context.Context, summary, body string) error
}

// Replacer is a Notifier whose notifications can be replaced and withdrawn,
// for a warning that may be called off.
type Replacer interface {
	Notifier
	// Replace shows a notification in place of the one id names (0 for
	// none), on screen for expire (0: as long as the desktop decides), and
	// returns its id.
	Replace(ctx context.Context, id uint32, summary, body string, expire time.Duration) (uint32, error)
	// Close withdraws the notification id, if it is still shown.
	Close(ctx context.Context, id uint32) error
}
