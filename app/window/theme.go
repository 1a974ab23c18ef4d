package window

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is Fyne's theme with a focus colour that shows: Fyne's own is
// the primary colour, faint, blended over a button when it has the focus,
// and so all but invisible on the blue "Iniciar sesión". Keyboard users
// must see where they are.
type appTheme struct{ fyne.Theme }

func newTheme() fyne.Theme { return appTheme{theme.DefaultTheme()} }

// The colours are blended over the button's own. In the light variant a
// grey of a third darkens every button; in the dark one a near-opaque mid
// grey lightens the dark buttons and dulls the blue one. Either way the
// button's text stays readable (TestFocusRingContrast measures both).
var (
	focusLight = color.NRGBA{A: 0x59}
	focusDark  = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xcc}
)

func (t appTheme) Color(name fyne.ThemeColorName, variant fyne.ThemeVariant) color.Color {
	if name == theme.ColorNameFocus {
		if variant == theme.VariantLight {
			return focusLight
		}
		return focusDark
	}
	return t.Theme.Color(name, variant)
}
