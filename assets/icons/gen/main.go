// Command gen draws the tray and app icons and writes them to the current
// directory. It is run by `go generate` in assets/icons (see icons.go); the
// drawing is in ../internal/draw, which the tests also use to check that the
// committed files are up to date.
package main

import (
	"fmt"
	"os"

	"ucontact-tray/assets/icons/internal/draw"
)

func main() {
	files, err := draw.Files()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, f := range files {
		if err := os.WriteFile(f.Name, f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
