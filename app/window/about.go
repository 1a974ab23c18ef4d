package window

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// about is the "Acerca de" button under either screen, and its dialog: the
// version and the log file, which support asks for.
type about struct {
	u      *ui
	button *button
}

func newAbout(u *ui) *about {
	a := &about{u: u}
	a.button = newButton(u.msg.T("window.about"), a.show, u.onEscape)
	a.button.Importance = widget.LowImportance
	a.button.Disable() // until the resident has said what to show
	return a
}

// show shows the dialog, its values selectable or copied with a button, to
// paste into a ticket.
func (a *about) show() {
	t, info, win := a.u.msg.T, a.u.info, a.u.win
	version := widget.NewLabel(info.Version)
	version.Selectable = true
	log := fyne.CanvasObject(widget.NewLabel(t("about.no_log")))
	if info.LogPath != "" {
		log = pathValue(info.LogPath)
	}
	form := widget.NewForm(
		widget.NewFormItem(t("about.version"), version),
		widget.NewFormItem(t("about.log"), log),
	)
	if info.CAFile != "" {
		form.Append(t("about.ca_file"), pathValue(info.CAFile))
	}
	d := dialog.NewCustom(t("about.title"), t("about.close"), form, win)
	d.Resize(fyne.NewSize(win.Canvas().Size().Width-2*theme.Padding(), 0))
	a.u.showDialog(d)
}

// pathValue shows a file's path wrapped only after a separator, never
// within a name, with a button that copies the path itself.
func pathValue(path string) fyne.CanvasObject {
	l := widget.NewLabel(wrappablePath(path))
	l.Wrapping = fyne.TextWrapWord
	copyPath := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(path)
	})
	copyPath.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, container.NewCenter(copyPath), l)
}

// pathBreak follows each separator of a path shown wrapped: Fyne wraps
// words at white space only, and this one is all but invisible. It is why
// the label is not selectable: a copy would hold it.
const pathBreak = "\u200a" // hair space

func wrappablePath(path string) string {
	var b strings.Builder
	for i, r := range path {
		b.WriteRune(r)
		if (r == '/' || r == '\\') && i < len(path)-1 {
			b.WriteString(pathBreak)
		}
	}
	return b.String()
}
