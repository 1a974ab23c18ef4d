package tray

import (
	"runtime"

	"ucontact-tray/assets/icons"
)

// iconFiles are each state's icon as PNG (an SVG shows as an empty icon on
// Linux) and as ICO, which Windows wants.
var iconFiles = map[Icon]struct{ png, ico []byte }{
	IconLoggedOut: {icons.LoggedOutPNG, icons.LoggedOutICO},
	IconLoggedIn:  {icons.LoggedInPNG, icons.LoggedInICO},
	IconBusy:      {icons.BusyPNG, icons.BusyICO},
	IconAttention: {icons.AttentionPNG, icons.AttentionICO},
	IconOnBreak:   {icons.OnBreakPNG, icons.OnBreakICO},
}

// iconBytes is the icon for the state, in the format the platform wants.
func iconBytes(i Icon) []byte {
	if runtime.GOOS == "windows" {
		return iconFiles[i].ico
	}
	return iconFiles[i].png
}
