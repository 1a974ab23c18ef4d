// Command fyne is the bench's floor for the window: the least a Fyne window
// costs to start, one window with one label, so that `make bench` can tell
// the login window's own start-up cost from Fyne's.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.ucontacttray.benchfloor")
	w := a.NewWindow("bench floor")
	w.SetContent(widget.NewLabel("Inicie sesión en uContact"))
	w.ShowAndRun()
}
