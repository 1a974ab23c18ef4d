package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// entry is a text field that leaves Escape to the window: a focused Fyne
// entry takes every key, and does nothing with this one.
type entry struct {
	widget.Entry
	escape func()
}

// newEntry makes a field for one line of text, or a password field, with
// its show/hide button, as widget.NewEntry and widget.NewPasswordEntry do.
func newEntry(escape func(), password bool) *entry {
	e := &entry{escape: escape}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.Password = password // its renderer adds the show/hide button
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedKey(key *fyne.KeyEvent) {
	if key.Name == fyne.KeyEscape {
		e.escape()
		return
	}
	e.Entry.TypedKey(key)
}

// onEscape does what Escape means where the window is: it closes the dialog
// on top ("Acerca de", the quit question), or else the window, as its close
// button does.
func (u *ui) onEscape() {
	if u.dialog != nil {
		u.dialog.Hide()
		return
	}
	u.onClose()
}
