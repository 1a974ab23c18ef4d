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

func (e *entry) TypedKey(key *fyne.KeyEvent) { passEscape(key, e.escape, e.Entry.TypedKey) }

// button is a button that leaves Escape to the window, as entry does: a
// button reached with Tab takes every key.
type button struct {
	widget.Button
	escape func()
}

func newButton(label string, tapped, escape func()) *button {
	b := &button{escape: escape}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *button) TypedKey(key *fyne.KeyEvent) { passEscape(key, b.escape, b.Button.TypedKey) }

// check is a check box that leaves Escape to the window, as entry does.
type check struct {
	widget.Check
	escape func()
}

func newCheck(label string, escape func()) *check {
	c := &check{escape: escape}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

func (c *check) TypedKey(key *fyne.KeyEvent) { passEscape(key, c.escape, c.Check.TypedKey) }

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

// passEscape calls escape for Escape, and typed, the widget's own handler,
// for any other key.
func passEscape(key *fyne.KeyEvent, escape func(), typed func(*fyne.KeyEvent)) {
	if key.Name == fyne.KeyEscape {
		escape()
		return
	}
	typed(key)
}
