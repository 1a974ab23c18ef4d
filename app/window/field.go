package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// input is a form's field: an entry, the session kind.
type input interface {
	fyne.CanvasObject
	fyne.Disableable
}

// field is a form item's widget: the input, and under it the lines about
// it (what is wrong with it, who fixed it), shown only when they say
// something. It is enabled and disabled as its input, for the form to show
// its label as the input is.
type field struct {
	widget.BaseWidget
	input input
	box   *fyne.Container
}

func withNotes(in input, notes ...*widget.Label) *field {
	objects := []fyne.CanvasObject{in}
	for _, n := range notes {
		objects = append(objects, n)
	}
	f := &field{input: in, box: container.New(layout.NewCustomPaddedVBoxLayout(0), objects...)}
	f.ExtendBaseWidget(f)
	return f
}

func (f *field) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(f.box) }
func (f *field) Enable()                             { f.input.Enable() }
func (f *field) Disable()                            { f.input.Disable() }
func (f *field) Disabled() bool                      { return f.input.Disabled() }
