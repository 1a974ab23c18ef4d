// Package notify shows desktop notifications from the resident process, for
// what happened without the user asking: a session left open by a crash was
// ended, a logout failed and is pending, a pending logout completed.
package notify

import "context"

// Notifier shows a notification.
type Notifier interface {
	Notify(ctx context.Context, summary, body string) error
}
