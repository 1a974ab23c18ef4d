package window

import (
	"bufio"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/session"
)

// pressEscape presses Escape in w as Fyne's desktop driver delivers it: to
// the focused widget, or else to the canvas.
func pressEscape(w fyne.Window) {
	key := &fyne.KeyEvent{Name: fyne.KeyEscape}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(key)
		return
	}
	if on := w.Canvas().OnTypedKey(); on != nil {
		on(key)
	}
}

// Escape closes "Acerca de" (and only it), wherever the focus is, and
// pressed again closes the window as its close button does.
func TestEscape(t *testing.T) {
	t.Run("about, then the window", func(t *testing.T) {
		h := open(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana", Version: "1.4.2"}}, es)
		h.do(func(u *ui) {
			if got := h.focused(); got != "password" {
				t.Fatalf("focus on %s, want password", got)
			}
			test.Tap(u.about.button)
			if h.win.Canvas().Overlays().Top() == nil {
				t.Fatal("no dialog")
			}
			pressEscape(h.win)
			if top := h.win.Canvas().Overlays().Top(); top != nil {
				t.Errorf("Escape left the dialog open: %T", top)
			}
		})
		if n := h.quits(); n != 0 {
			t.Fatalf("Escape on the dialog closed the window (%d quits)", n)
		}
		h.do(func(u *ui) {
			h.win.Canvas().Focus(u.login.pass)
			pressEscape(h.win) // from the password field
		})
		h.settle()
		if n := h.quits(); n != 1 {
			t.Errorf("Escape in the window: %d quits, want 1 (there is a tray)", n)
		}
	})
	t.Run("no focus", func(t *testing.T) {
		h := open(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}, es)
		h.do(func(u *ui) {
			h.win.Canvas().Unfocus()
			pressEscape(h.win)
		})
		h.settle()
		if n := h.quits(); n != 1 {
			t.Errorf("%d quits, want 1", n)
		}
	})
	// Reached with Tab, a button or a box takes every key: it passes
	// Escape on.
	for _, focus := range []string{"Iniciar sesión", "Acerca de", "Recordar"} {
		t.Run("focus on "+focus, func(t *testing.T) {
			h := open(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}, es)
			h.do(func(u *ui) {
				openOptions(t, u)
				target := map[string]fyne.Focusable{"Iniciar sesión": u.login.submit, "Acerca de": u.about.button, "Recordar": u.login.keep}[focus]
				h.win.Canvas().Focus(target)
				if h.win.Canvas().Focused() != target {
					t.Fatalf("%s did not take the focus", focus)
				}
				pressEscape(h.win)
			})
			h.settle()
			if n := h.quits(); n != 1 {
				t.Errorf("Escape with the focus on %s: %d quits, want 1", focus, n)
			}
		})
	}
	t.Run("no tray: the quit question", func(t *testing.T) {
		b := &fakeBackend{info: control.Info{Server: "acme", User: "ana", NoTray: "no-host"}}
		h := open(t, b, es)
		h.publish(control.StatusOf(session.Snapshot{State: session.LoggedIn, Server: "acme", User: "ana"}))
		h.settle()
		h.do(func(u *ui) {
			pressEscape(h.win)
			top := h.win.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("Escape asked nothing; the close button asks before quitting")
			}
			if text := strings.Join(texts(top), "\n"); !strings.Contains(text, es.T("window.quit_question")) {
				t.Fatalf("the dialog is not the quit question:\n%s", text)
			}
			pressEscape(h.win) // the question is cancelled
			if top := h.win.Canvas().Overlays().Top(); top != nil {
				t.Errorf("Escape left the question open")
			}
		})
		h.settle()
		if n := h.quits(); n != 0 {
			t.Errorf("%d quits after cancelling the question", n)
		}
	})
}

// fakeDesk is a screen whose work area leaves the window height pixels
// (Fyne units: the test canvas has a scale of 1).
type fakeDesk struct {
	height int
	kept   []fyne.Size // the sizes keepOnScreen was given
}

func (d *fakeDesk) room() (int, int)            { return 1280, d.height }
func (d *fakeDesk) keepOnScreen(size fyne.Size) { d.kept = append(d.kept, size) }

// The window follows its content both ways: taller with a longer message,
// back to its first height when the message goes, never taller than the
// work area (the content scrolls then), and asked each time to stay on the
// screen at its new size.
func TestWindowFollowsItsContent(t *testing.T) {
	d := &fakeDesk{height: 2000}
	h := startOn(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}, es, d)
	h.publish(control.StatusOf(session.Snapshot{}))
	h.settle()
	height := func() float32 {
		var got float32
		h.do(func(u *ui) {
			got = h.win.Canvas().Size().Height
			// The test canvas puts no padding around the content.
			if want := u.win.Content().MinSize().Height; got != want {
				t.Errorf("window %v tall, its content needs %v", got, want)
			}
		})
		return got
	}
	// frame checks the content's size as the driver does at each frame,
	// and waits for the window to follow.
	frame := func() {
		h.do(func(u *ui) { u.win.Content().MinSize() })
		h.settle()
	}
	banner := func(paragraphs int) {
		h.do(func(u *ui) {
			if paragraphs == 0 {
				u.banner.Hide()
				return
			}
			u.banner.SetText(strings.Repeat("Las preferencias del administrador no se pudieron leer. ", paragraphs))
			u.banner.Show()
		})
		frame()
	}
	h.do(func(u *ui) { u.fit() }) // as Run sizes the window first
	first := height()
	banner(3)
	grown := height()
	if grown <= first {
		t.Errorf("with a message the window is %v tall, %v without", grown, first)
	}
	banner(1)
	if shorter := height(); shorter >= grown || shorter <= first {
		t.Errorf("a shorter message: %v tall, after %v and before %v", shorter, grown, first)
	}
	banner(0)
	if back := height(); back != first {
		t.Errorf("without the message the window is %v tall, %v at first", back, first)
	}
	h.do(func(u *ui) {
		// The window's size, with the padding Fyne puts around the content.
		if want := first + u.padding(); len(d.kept) == 0 || d.kept[len(d.kept)-1].Height != want {
			t.Errorf("asked to keep on screen %v, last want height %v", d.kept, want)
		}
	})

	d.height = int(first) + 40 // a small screen
	banner(40)
	h.do(func(u *ui) {
		// Fyne's driver adds its padding around the content.
		got := h.win.Canvas().Size().Height + 2*theme.Padding()
		if got > float32(d.height) {
			t.Errorf("the window is %v tall on a work area of %v", got, d.height)
		}
		if got < float32(d.height)-1 {
			t.Errorf("the window is %v tall, short of the work area's %v with more to show", got, d.height)
		}
		// Each part is reachable: the content scrolls.
		scroll := u.win.Content().(*fyne.Container).Objects[0].(*container.Scroll)
		if scroll.Content.Size().Height <= scroll.Size().Height {
			t.Errorf("content %v tall in a view of %v: nothing to scroll", scroll.Content.Size().Height, scroll.Size().Height)
		}
	})
	saveShot(t, h, "window-small-screen")
}

// saveShot keeps what the test window shows in $UCT_SHOTS, if set, to look
// at.
func saveShot(t *testing.T, h *harness, name string) {
	t.Helper()
	dir := os.Getenv("UCT_SHOTS")
	if dir == "" {
		return
	}
	var img image.Image
	h.do(func(*ui) { img = h.win.Canvas().Capture() })
	writePNG(t, filepath.Join(dir, name+".png"), img)
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		name                                    string
		pos, size, before, after, start, length int
		want                                    int
	}{
		{"inside", 100, 300, 0, 0, 0, 800, 100},
		{"past the end", 600, 300, 0, 0, 0, 800, 500},
		{"past the end, framed", 600, 300, 30, 5, 0, 800, 495},
		{"panel at the top", 0, 300, 30, 5, 40, 760, 70},
		{"too large", 100, 900, 30, 5, 40, 760, 70},
		{"second monitor", 1900, 460, 0, 0, 1280, 1920, 1900},
		{"off its right", 3000, 460, 2, 2, 1280, 1920, 2738},
	} {
		if got := within(tc.pos, tc.size, tc.before, tc.after, tc.start, tc.length); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// "Acerca de" wraps a long path after a separator only, never within a
// name, and its button copies the path itself.
func TestAboutPath(t *testing.T) {
	path := "/home/ana.lopez.fernandez/.cache/ucontact-tray/registros-del-puesto/ucontact-tray-window.log"
	h := open(t, &fakeBackend{info: control.Info{Version: "1.4.2", LogPath: path}}, es)
	h.do(func(u *ui) {
		h.win.Resize(fyne.NewSize(460, 500))
		test.Tap(u.about.button)
		d := h.win.Canvas().Overlays().Top()
		var rows []string
		var copyPath *widget.Button
		for _, o := range test.LaidOutObjects(d) {
			switch o := o.(type) {
			case *widget.Label:
				if o.Text == wrappablePath(path) {
					for _, row := range test.LaidOutObjects(o) {
						if text, ok := row.(*canvas.Text); ok && text.Text != "" {
							rows = append(rows, text.Text)
						}
					}
				}
			case *widget.Button:
				if o.Icon == theme.ContentCopyIcon() {
					copyPath = o
				}
			}
		}
		if len(rows) < 2 {
			t.Fatalf("the path is not wrapped: %q", rows)
		}
		joined := ""
		for i, row := range rows {
			joined += strings.ReplaceAll(row, pathBreak, "")
			if i < len(rows)-1 && !strings.HasSuffix(strings.TrimSuffix(row, pathBreak), "/") {
				t.Errorf("row %d breaks within a name: %q", i, row)
			}
		}
		if joined != path {
			t.Errorf("the rows read %q, want %q", joined, path)
		}
		if copyPath == nil {
			t.Fatal("no copy button")
		}
		test.Tap(copyPath)
		if got := fyne.CurrentApp().Clipboard().Content(); got != path {
			t.Errorf("copied %q, want %q", got, path)
		}
	})
	saveShot(t, h, "about-path")
}

// The focused button stands out from itself unfocused, in either variant
// of the theme, for each importance the window uses, and its text stays
// readable on it.
func TestFocusRingContrast(t *testing.T) {
	for _, variant := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		a := test.NewTempApp(t)
		th := variantTheme{newTheme(), variant}
		a.Settings().SetTheme(th)
		for _, tc := range []struct {
			importance widget.Importance
			text       fyne.ThemeColorName
			minText    float64
		}{
			{widget.HighImportance, theme.ColorNameForegroundOnPrimary, 2.5},
			{widget.MediumImportance, theme.ColorNameForeground, 2.5},
			{widget.LowImportance, theme.ColorNameForeground, 2.5},
		} {
			b := widget.NewButton("Iniciar sesión", func() {})
			b.Importance = tc.importance
			w := a.NewWindow("")
			w.SetPadded(false)
			w.SetContent(container.NewPadded(b))
			w.Resize(fyne.NewSize(240, 80))
			at := b.Position().Add(fyne.NewPos(6, b.Size().Height/2))
			unfocused := w.Canvas().Capture()
			w.Canvas().Focus(b)
			focused := w.Canvas().Capture()
			if os.Getenv("UCT_SHOTS") != "" {
				writePNG(t, filepath.Join(os.Getenv("UCT_SHOTS"), "focus-"+variantName(variant)+"-"+importanceName(tc.importance)+".png"), focused)
			}
			bg := unfocused.At(int(at.X), int(at.Y))
			fg := focused.At(int(at.X), int(at.Y))
			if r := contrast(bg, fg); r < 1.5 {
				t.Errorf("%s, %s button: focused %v against unfocused %v, contrast %.2f, want 1.5 or more", variantName(variant), importanceName(tc.importance), fg, bg, r)
			}
			if r := contrast(fg, th.Color(tc.text, variant)); r < tc.minText {
				t.Errorf("%s, %s button: text on the focused button, contrast %.2f, want %.1f or more", variantName(variant), importanceName(tc.importance), r, tc.minText)
			}
			w.Close()
		}
	}
}

type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

func variantName(v fyne.ThemeVariant) string {
	if v == theme.VariantLight {
		return "light"
	}
	return "dark"
}

func importanceName(i widget.Importance) string {
	return map[widget.Importance]string{widget.HighImportance: "high", widget.MediumImportance: "medium", widget.LowImportance: "low"}[i]
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// The window's X11 class is the app's ID, FyneApp.toml's, which names the
// desktop entry.
func TestWMClassIsTheAppID(t *testing.T) {
	f, err := os.Open("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		key, value, ok := strings.Cut(lines.Text(), "=")
		if ok && strings.TrimSpace(key) == "ID" {
			if id := strings.Trim(strings.TrimSpace(value), `"`); id != wmClass {
				t.Errorf("FyneApp.toml's ID %q, the window's class %q", id, wmClass)
			}
			return
		}
	}
	t.Fatal("no ID in FyneApp.toml")
}
