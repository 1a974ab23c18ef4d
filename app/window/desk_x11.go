//go:build (linux || freebsd || openbsd || netbsd) && !wayland

package window

import (
	"os"
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// followDesktopScale makes the window as large as the desktop asks: on
// X11, Fyne scales by the monitor's physical size (its DPI over 120) and
// leaves the desktop's own setting, the X resource Xft.dpi, aside. GLFW
// reads that resource as the monitor's content scale (Xft.dpi over 96), and
// Fyne takes a scale from FYNE_SCALE, read as it makes the window. A
// FYNE_SCALE of the user's own stays; a desktop that sets no Xft.dpi (or
// 96) is left to Fyne's detection. Following Xft.dpi, Fyne's detection is
// turned off, or a monitor that reports its size would scale the window a
// second time.
func followDesktopScale() {
	if os.Getenv("FYNE_SCALE") != "" {
		return
	}
	scale := contentScale()
	if scale <= 0 || scale == 1 {
		return
	}
	_ = os.Setenv("FYNE_SCALE", strconv.FormatFloat(float64(scale), 'f', -1, 32))
	if os.Getenv("FYNE_DISABLE_DPI_DETECTION") == "" {
		_ = os.Setenv("FYNE_DISABLE_DPI_DETECTION", "1")
	}
}

// x11Placer moves the window through an X connection of its own: Fyne
// offers no way to move a window, nor to find where it is. Its X calls run
// off the UI thread, one at a time.
type x11Placer struct {
	conn    *xgb.Conn
	root    xproto.Window
	extents xproto.Atom // _NET_FRAME_EXTENTS, which the window manager sets

	work sync.Mutex // one move at a time, in order

	mu    sync.Mutex
	sides [4]int // the window's frame: left, right, top, bottom
}

func newPlacer() placer {
	conn, err := xgb.NewConn()
	if err != nil {
		return nil // no move; the window still fits the work area
	}
	name := "_NET_FRAME_EXTENTS"
	atom, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		conn.Close()
		return nil
	}
	return &x11Placer{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root, extents: atom.Atom}
}

func (p *x11Placer) frame() (left, right, top, bottom int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sides[0], p.sides[1], p.sides[2], p.sides[3]
}

// keepWithin moves the window, width × height pixels, within the work area
// x, y, w, h, frame included, if it extends past it.
func (p *x11Placer) keepWithin(win fyne.Window, width, height int, x, y, w, h int) {
	var id xproto.Window
	if native, ok := win.(driver.NativeWindow); ok {
		native.RunNative(func(ctx any) {
			if x11, ok := ctx.(driver.X11WindowContext); ok {
				id = xproto.Window(x11.WindowHandle)
			}
		})
	}
	if id == 0 {
		return // not made yet: Fyne centres it on the screen as it does
	}
	go func() {
		p.work.Lock()
		defer p.work.Unlock()
		sides := p.readFrame(id)
		p.mu.Lock()
		p.sides = sides
		p.mu.Unlock()
		at, err := xproto.TranslateCoordinates(p.conn, id, p.root, 0, 0).Reply()
		if err != nil {
			return // gone
		}
		cx, cy := int(at.DstX), int(at.DstY)
		nx := within(cx, width, sides[0], sides[1], x, w)
		ny := within(cy, height, sides[2], sides[3], y, h)
		if nx == cx && ny == cy {
			return
		}
		// GLFW gives its windows static gravity: the position asked for is
		// the window's own, inside its frame, as TranslateCoordinates says.
		_ = xproto.ConfigureWindowChecked(p.conn, id, xproto.ConfigWindowX|xproto.ConfigWindowY,
			[]uint32{uint32(int32(nx)), uint32(int32(ny))}).Check()
	}()
}

// readFrame reads the window manager's _NET_FRAME_EXTENTS of the window;
// zero without a window manager.
func (p *x11Placer) readFrame(id xproto.Window) (sides [4]int) {
	prop, err := xproto.GetProperty(p.conn, false, id, p.extents, xproto.AtomCardinal, 0, 4).Reply()
	if err != nil || prop.Format != 32 || len(prop.Value) < 16 {
		return sides
	}
	for i := range sides {
		sides[i] = int(xgb.Get32(prop.Value[4*i:]))
	}
	return sides
}
