package notify

import (
	"context"
	"time"

	"ucontact-tray/app/tray"
)

// Desktop shows notifications as a balloon (a toast on Windows 10 and
// later) from the app's own tray icon.
type Desktop struct {
	AppName string
}

var _ Replacer = Desktop{}

// Notify shows one balloon on the tray icon.
func (d Desktop) Notify(_ context.Context, summary, body string) error {
	return tray.ShowBalloon(summary, body)
}

// Replace shows a balloon. An icon has one balloon at a time, so it takes
// the place of the one before whatever id says; how long it stays is
// Windows' choice (its accessibility setting for notifications), not
// expire's.
func (d Desktop) Replace(ctx context.Context, _ uint32, summary, body string, _ time.Duration) (uint32, error) {
	return 1, d.Notify(ctx, summary, body)
}

// Close does nothing: a balloon goes by itself, or with the next one.
func (Desktop) Close(context.Context, uint32) error { return nil }
