//go:build !windows

package tray

import "ucontact-tray/assets/icons"

// iconBytes is the icon for the state: PNG (an SVG shows as an empty icon
// on Linux).
func iconBytes(i Icon) []byte {
	switch i {
	case IconLoggedIn:
		return icons.LoggedInPNG
	case IconBusy:
		return icons.BusyPNG
	case IconAttention:
		return icons.AttentionPNG
	}
	return icons.LoggedOutPNG
}
