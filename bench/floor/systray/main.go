// Command systray is the bench's floor: the least a tray icon can cost. It
// shows what the resident shows once logged in (the same icon, a title, a
// tooltip and a menu of the same shape) with fyne.io/systray alone, and does
// nothing else, so that `make bench` can tell the resident's own cost from
// what any tray costs.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/systray"

	"ucontact-tray/assets/icons"
)

func main() {
	// The bench stops it with SIGTERM; systray.Quit makes Run return, so it
	// leaves the bus the way the resident does.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		systray.Quit()
	}()
	systray.Run(onReady, nil)
}

func onReady() {
	systray.SetIcon(icons.LoggedInPNG)
	systray.SetTitle("Conectado: floor")
	systray.SetTooltip("Conectado: floor")
	status := systray.AddMenuItem("Conectado: floor", "")
	status.Disable()
	systray.AddSeparator()
	logout := systray.AddMenuItem("Finalizar Sesión", "")
	open := systray.AddMenuItem("Abrir…", "")
	systray.AddSeparator()
	quit := systray.AddMenuItem("Salir", "")
	// One reader per entry for the life of the tray, as the resident has:
	// their goroutines are part of what a tray costs.
	for _, it := range []*systray.MenuItem{status, logout, open} {
		go func() {
			for range it.ClickedCh {
			}
		}()
	}
	go func() {
		for range quit.ClickedCh {
			systray.Quit()
		}
	}()
}
