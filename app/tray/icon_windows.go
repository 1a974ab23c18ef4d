package tray

import "ucontact-tray/assets/icons"

// iconBytes is the icon for the state: Windows wants ICO.
func iconBytes(i Icon) []byte {
	switch i {
	case IconLoggedIn:
		return icons.LoggedInICO
	case IconBusy:
		return icons.BusyICO
	case IconAttention:
		return icons.AttentionICO
	}
	return icons.LoggedOutICO
}
