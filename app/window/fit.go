package window

import "fyne.io/fyne/v2"

// fitLayout lays its one object, the scrolled content, over the whole
// window, and tells when the content's minimum size has changed, so that
// the window can be sized to it again, larger or smaller: a message shown
// or gone, "Más opciones" opened, a wrapped line that needs one more row
// once laid out at the window's width. The window's minimum height is the
// content's, but no more than room allows: past that the content scrolls,
// and the window stays on the screen. So too for its width, on a narrow
// screen at a large scale.
//
// Fyne grows a window to its content by itself, but when the content grows
// twice in a row (a label shown, then wrapped into two lines at the new
// width), Windows leaves the window at the first size while Fyne lays the
// content out at the second: the top of the window is cut off and every
// click lands as many pixels off what is drawn. An explicit resize after
// the change puts window and content back in step.
type fitLayout struct {
	content fyne.CanvasObject
	room    func() fyne.Size // the most the window's content may take; 0 for no limit
	min     fyne.Size
	changed func()
}

func (l *fitLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	min := l.content.MinSize()
	room := l.room()
	if room.Width > 0 && min.Width > room.Width {
		min.Width = room.Width
	}
	if room.Height > 0 && min.Height > room.Height {
		min.Height = room.Height
	}
	if min != l.min {
		first := l.min.IsZero()
		l.min = min
		if !first {
			l.changed()
		}
	}
	return min
}

func (l *fitLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
