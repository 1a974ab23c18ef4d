//go:generate go run ./gen

// Package icons holds the tray and app icons, drawn by ./gen.
//
// The tray icons are 64×64 PNGs (and, for Windows, .ico files holding 32×32
// and 16×16 PNG images), one per state, told apart by colour and by glyph:
// logged in is a green disc with a check mark, logged out a grey disc with a
// hollow ring, busy a blue disc with three dots, attention a red-orange disc
// with an exclamation mark, on a break (an agent's pause) a violet disc with
// two upright bars. AppPNG is the 256×256 application icon, a white
// headset on a blue rounded square.
//
// Do not edit the image files: change internal/draw and run
// `go generate ./assets/icons/`; the tests fail while they are out of date.
package icons

import _ "embed"

// Tray icons, 64×64 PNG.
var (
	//go:embed logged-in.png
	LoggedInPNG []byte
	//go:embed logged-out.png
	LoggedOutPNG []byte
	//go:embed busy.png
	BusyPNG []byte
	//go:embed attention.png
	AttentionPNG []byte
	//go:embed on-break.png
	OnBreakPNG []byte
)

// AppPNG is the application icon (window, packaging), 256×256 PNG.
//
//go:embed app.png
var AppPNG []byte

// Tray icons for Windows: .ico files holding a 32×32 and a 16×16 PNG image.
var (
	//go:embed logged-in.ico
	LoggedInICO []byte
	//go:embed logged-out.ico
	LoggedOutICO []byte
	//go:embed busy.ico
	BusyICO []byte
	//go:embed attention.ico
	AttentionICO []byte
	//go:embed on-break.ico
	OnBreakICO []byte
)
