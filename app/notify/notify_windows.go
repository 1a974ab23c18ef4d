package notify

import (
	"context"

	"ucontact-tray/app/tray"
)

// Desktop shows notifications as a balloon (a toast on Windows 10 and
// later) from the app's own tray icon.
type Desktop struct {
	AppName string
}

// Notify shows one balloon on the tray icon.
func (d Desktop) Notify(_ context.Context, summary, body string) error {
	return tray.ShowBalloon(summary, body)
}
