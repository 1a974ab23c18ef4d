package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// about is the "Acerca de" button under either screen, and its dialog: the
// version and the log file, which support asks for.
type about struct {
	u      *ui
	button *widget.Button
}

func newAbout(u *ui) *about {
	a := &about{u: u}
	a.button = widget.NewButton(u.msg.T("window.about"), a.show)
	a.button.Importance = widget.LowImportance
	a.button.Disable() // until the resident has said what to show
	return a
}

// show shows the dialog, its values selectable, to paste into a ticket.
func (a *about) show() {
	t, info, win := a.u.msg.T, a.u.info, a.u.win
	value := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Selectable = true
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	logPath := info.LogPath
	if logPath == "" {
		logPath = t("about.no_log")
	}
	form := widget.NewForm(
		widget.NewFormItem(t("about.version"), value(info.Version)),
		widget.NewFormItem(t("about.log"), value(logPath)),
	)
	if info.CAFile != "" {
		form.Append(t("about.ca_file"), value(info.CAFile))
	}
	d := dialog.NewCustom(t("about.title"), t("about.close"), form, win)
	d.Resize(fyne.NewSize(win.Canvas().Size().Width-2*theme.Padding(), 0))
	d.Show()
}
