// Package window is the login and session window, a Fyne app run in a
// process of its own (cmd/ucontact-tray-window) and started by the resident
// when needed. It is a client of the control socket: it sends what the user
// types and shows the resident's state; it holds no session itself, so if
// it crashes nothing is lost. All socket calls run off the UI thread and
// report back through fyne.Do.
package window

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"ucontact-tray/app/control"
	"ucontact-tray/assets/icons"
	"ucontact-tray/internal/i18n"
)

// Backend is what the window needs from the resident; *control.Client is
// one.
type Backend interface {
	Info(ctx context.Context) (control.Info, error)
	Watch(ctx context.Context) (<-chan control.Event, error)
	Login(ctx context.Context, req control.LoginRequest) (control.Status, error)
	CancelLogin(ctx context.Context) (control.Status, error)
	Logout(ctx context.Context) (control.Status, error)
	Quit(ctx context.Context) error
	ChangeSettings(ctx context.Context, req control.SettingsRequest) error
}

// metadata is what Fyne knows of the app. It opts in to the fyneDo
// migration: the window changes its widgets on Fyne's thread only, from
// callbacks or through fyne.Do, so Fyne need not check that each call is
// on it. A `go build` does not read FyneApp.toml, where `fyne build` finds
// the same setting, so the window says it here.
//
// It has no ID, unlike FyneApp.toml: the window keeps nothing in Fyne's
// preferences or storage (the resident keeps the settings), and with an ID
// Fyne would read, watch and rewrite a preferences file at every start and
// quit, several windows of one desk racing on it.
func metadata() fyne.AppMetadata {
	return fyne.AppMetadata{Migrations: map[string]bool{"fyneDo": true}}
}

// newApp makes the Fyne app the window runs in.
func newApp() fyne.App {
	app.SetMetadata(metadata()) // before Fyne first reads it
	// Not app.New: in a development build it would take the ID from a
	// FyneApp.toml in the working folder.
	a := app.NewWithID("")
	a.Settings().SetTheme(newTheme())
	return a
}

// Run shows the window until the user closes it or logs in, and returns
// when the Fyne app has stopped.
func Run(backend Backend, msg *i18n.Catalog, log *slog.Logger) {
	a := newApp()
	a.SetIcon(fyne.NewStaticResource("app.png", icons.AppPNG))
	w := a.NewWindow(msg.T("window.title"))
	prepareWindow() // GLFW has started with the window; the window is made at Show
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ui := newUI(ctx, backend, msg, log, w, a.Quit)
	ui.desk = newDesk(w)
	content := ui.content()
	w.SetContent(content)
	w.SetCloseIntercept(ui.onClose)
	// The exact size from the start: a window asked for smaller than its
	// content is resized before its first frame, 20 ms later (make bench).
	w.Resize(fyne.NewSize(ui.width(), content.MinSize().Height))
	w.CenterOnScreen()
	ui.watch()
	w.ShowAndRun()
	// Cleanup goes here, after Run: Fyne skips Lifecycle().SetOnStopped in
	// some quits.
	log.Info("window closed")
}
