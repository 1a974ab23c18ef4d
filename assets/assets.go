// Package assets holds the translations embedded in the programs (the
// icons are in assets/icons).
package assets

import "embed"

// Translations holds one JSON file per language (es.json, en.json): a flat
// object of message IDs to text, with {{.Name}} placeholders. It is the
// format of go-i18n, which Fyne's lang package reads too, so the tray, the
// command line and the window share one source of strings.
//
//go:embed translations/*.json
var Translations embed.FS
