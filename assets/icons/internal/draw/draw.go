// Package draw draws the tray and app icons. The generator (../../gen) writes
// what Files returns next to icons.go, and the tests compare the committed
// files with it, so the drawing code lives here, importable by both.
//
// Everything is drawn with golang.org/x/image/vector (anti-aliased fills of
// closed paths) on a transparent canvas. Coordinates are in pixels, y down;
// angles are in radians, increasing clockwise on screen. Every shape is
// traced clockwise, so overlapping shapes add up; a hole (the inside of a
// ring) is traced anticlockwise.
package draw

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/vector"
)

// Sizes of the drawn icons, and of the images in each tray .ico file.
const (
	TraySize = 64
	AppSize  = 256
)

// ICOSizes are the images of each tray .ico file, largest first.
var ICOSizes = []int{32, 16}

// AppICOSizes are the images of the programs' icon on Windows, for the
// Explorer's views and the taskbar, largest first.
var AppICOSizes = []int{256, 48, 32, 16}

// State is what a tray icon shows.
type State int

const (
	LoggedIn  State = iota // green, check mark
	LoggedOut              // grey, hollow ring
	Busy                   // blue, three dots
	Attention              // red-orange, exclamation mark
	OnBreak                // violet, pause bars
)

// States lists every State, in the order of their files.
var States = []State{LoggedIn, LoggedOut, Busy, Attention, OnBreak}

// Name is the file name of s without the extension ("logged-in").
func (s State) Name() string {
	switch s {
	case LoggedIn:
		return "logged-in"
	case LoggedOut:
		return "logged-out"
	case Busy:
		return "busy"
	case Attention:
		return "attention"
	case OnBreak:
		return "on-break"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

var (
	white   = rgb(0xFFFFFF)
	appBlue = rgb(0x1F5FAF)
	// On a break is violet, not the blue of busy: an agent glancing at the
	// icon must not take a break for a login still going on.
	fillOf = map[State]color.RGBA{
		LoggedIn: rgb(0x2E9E44), LoggedOut: rgb(0x7A7F87), Busy: rgb(0x2F6FD0), Attention: rgb(0xD9480F), OnBreak: rgb(0x7B4FC4),
	}
	darkerBy = 0.68 // outline colour = fill colour × darkerBy
)

// File is one generated file: its name next to icons.go, and its bytes.
type File struct {
	Name string
	Data []byte
}

// Files returns every icon file, in a fixed order: the tray PNGs, the app
// PNG and ICO (the Windows programs' icon), then the tray ICOs. The bytes
// are the same on every run.
func Files() ([]File, error) {
	var files []File
	tray := make([]*image.RGBA, len(States))
	for i, s := range States {
		tray[i] = Tray(s)
		b, err := encodePNG(tray[i])
		if err != nil {
			return nil, err
		}
		files = append(files, File{s.Name() + ".png", b})
	}
	b, err := encodePNG(App())
	if err != nil {
		return nil, err
	}
	files = append(files, File{"app.png", b})
	b, err = ICO(App(), AppICOSizes...)
	if err != nil {
		return nil, err
	}
	files = append(files, File{"app.ico", b})
	for i, s := range States {
		b, err := ICO(tray[i], ICOSizes...)
		if err != nil {
			return nil, err
		}
		files = append(files, File{s.Name() + ".ico", b})
	}
	return files, nil
}

// Tray draws the 64×64 tray icon of s: a disc in the state's colour with a
// thin darker rim and a white glyph whose shape differs per state, so the
// states can be told apart without colour.
func Tray(s State) *image.RGBA {
	const c = TraySize / 2.0
	img := image.NewRGBA(image.Rect(0, 0, TraySize, TraySize))
	fill := fillOf[s]
	paint(img, scale(fill, darkerBy), func(p *path) { p.circle(c, c, 31.5) })
	paint(img, fill, func(p *path) { p.circle(c, c, 29.5) })
	paint(img, white, func(p *path) {
		switch s {
		case LoggedIn: // check mark
			p.capsule(18.5, 33, 27.5, 42, 8)
			p.capsule(27.5, 42, 45.5, 24, 8)
		case LoggedOut: // hollow ring, the usual "offline" presence mark
			p.circle(c, c, 17)
			p.hole(c, c, 10)
		case Busy: // three dots
			for _, x := range []float64{c - 15, c, c + 15} {
				p.circle(x, c, 5.75)
			}
		case Attention: // exclamation mark
			p.taper(c, 15, 5, c, 35, 3.5)
			p.circle(c, 48, 4.75)
		case OnBreak: // pause: two upright bars
			for _, x := range []float64{c - 8, c + 8} {
				p.capsule(x, 21, x, 43, 9)
			}
		}
	})
	return img
}

// App draws the 256×256 application icon: a white headset on a blue rounded
// square.
func App() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, AppSize, AppSize))
	const (
		lo, hi = 8.0, 248.0 // the square
		radius = 54.0       // its corners
		cx, cy = 128.0, 112.0
		band   = 66.0 // radius of the headband's centre line
		bandW  = 18.0
		cupW   = 42.0
		cupTop = cy - 8
		cupBot = cy + 64
		boomW  = 12.0
		boomR  = 42.0 // radius of the boom's bend
	)
	paint(img, scale(appBlue, darkerBy), func(p *path) { p.roundRect(lo, lo, hi, hi, radius) })
	paint(img, appBlue, func(p *path) { p.roundRect(lo+2.5, lo+2.5, hi-2.5, hi-2.5, radius-2.5) })
	paint(img, white, func(p *path) {
		// Headband: the top half of a circle.
		p.arcStroke(cx, cy, band, math.Pi, 2*math.Pi, bandW)
		// Ear cups, centred under the ends of the band.
		for _, x := range []float64{cx - band, cx + band} {
			p.roundRect(x-cupW/2, cupTop, x+cupW/2, cupBot, 14)
		}
		// Microphone boom: down from the right cup, bending towards the mouth.
		bx, by := cx+band-boomR, cupBot-6.0
		p.arcStroke(bx, by, boomR, 0, math.Pi/2, boomW)
		// Microphone.
		p.capsule(bx, by+boomR, cx-14, by+boomR, 24)
	})
	return img
}

// ICO returns a Windows icon file holding src scaled (Catmull-Rom) to each
// of sizes (at most 256), each stored as a PNG, which Windows Vista and
// later read.
func ICO(src image.Image, sizes ...int) ([]byte, error) {
	const headerLen, entryLen = 6, 16
	var images [][]byte
	for _, n := range sizes {
		if n < 1 || n > 256 {
			return nil, fmt.Errorf("icon size %d: want 1 to 256", n)
		}
		dst := image.NewRGBA(image.Rect(0, 0, n, n))
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
		b, err := encodePNG(dst)
		if err != nil {
			return nil, err
		}
		images = append(images, b)
	}
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.Write(le.AppendUint16(nil, 0))                  // reserved
	buf.Write(le.AppendUint16(nil, 1))                  // type: icon
	buf.Write(le.AppendUint16(nil, uint16(len(sizes)))) // image count
	offset := headerLen + entryLen*len(sizes)
	for i, n := range sizes {
		dim := byte(n % 256)                                    // 0 means 256
		buf.Write([]byte{dim, dim, 0, 0})                       // width, height, palette size, reserved
		buf.Write(le.AppendUint16(nil, 1))                      // colour planes
		buf.Write(le.AppendUint16(nil, 32))                     // bits per pixel
		buf.Write(le.AppendUint32(nil, uint32(len(images[i])))) // image length
		buf.Write(le.AppendUint32(nil, uint32(offset)))         // image offset
		offset += len(images[i])
	}
	for _, b := range images {
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// paint fills, over img, the shapes that build adds to a path, in colour c.
func paint(img *image.RGBA, c color.RGBA, build func(*path)) {
	b := img.Bounds()
	p := &path{z: vector.NewRasterizer(b.Dx(), b.Dy())}
	build(p)
	p.z.Draw(img, b, image.NewUniform(c), image.Point{})
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xFF}
}

// scale multiplies the colour channels of an opaque colour by f.
func scale(c color.RGBA, f float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(math.Round(float64(v) * f)) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), c.A}
}

// path adds closed shapes to a rasterizer.
type path struct{ z *vector.Rasterizer }

func (p *path) moveTo(x, y float64) { p.z.MoveTo(float32(x), float32(y)) }
func (p *path) lineTo(x, y float64) { p.z.LineTo(float32(x), float32(y)) }

// arc continues the path along the circle (cx, cy, r) from angle a0, where
// the pen must be, to a1, in cubic Bézier pieces of at most a quarter turn.
func (p *path) arc(cx, cy, r, a0, a1 float64) {
	n := int(math.Ceil(math.Abs(a1-a0)/(math.Pi/2) - 1e-9))
	if n < 1 {
		n = 1
	}
	step := (a1 - a0) / float64(n)
	k := 4.0 / 3.0 * math.Tan(step/4) * r // control-point distance
	for i := range n {
		s, e := a0+float64(i)*step, a0+float64(i+1)*step
		sx, sy := cx+r*math.Cos(s), cy+r*math.Sin(s)
		ex, ey := cx+r*math.Cos(e), cy+r*math.Sin(e)
		p.z.CubeTo(
			float32(sx-k*math.Sin(s)), float32(sy+k*math.Cos(s)),
			float32(ex+k*math.Sin(e)), float32(ey-k*math.Cos(e)),
			float32(ex), float32(ey))
	}
}

// circle adds a disc.
func (p *path) circle(cx, cy, r float64) {
	p.moveTo(cx+r, cy)
	p.arc(cx, cy, r, 0, 2*math.Pi)
	p.z.ClosePath()
}

// hole cuts a disc out of the shapes added before it.
func (p *path) hole(cx, cy, r float64) {
	p.moveTo(cx+r, cy)
	p.arc(cx, cy, r, 0, -2*math.Pi)
	p.z.ClosePath()
}

// capsule adds a stroke of width w from (x0, y0) to (x1, y1) with round ends.
func (p *path) capsule(x0, y0, x1, y1, w float64) {
	p.taper(x0, y0, w/2, x1, y1, w/2)
}

// taper adds a stroke from (x0, y0) to (x1, y1) whose round ends have radii
// r0 and r1, joined by the straight lines tangent to both (r0 and r1 must be
// much smaller than the length).
func (p *path) taper(x0, y0, r0, x1, y1, r1 float64) {
	t := math.Atan2(y1-y0, x1-x0)
	d := math.Hypot(x1-x0, y1-y0)
	e := math.Asin((r0 - r1) / d) // the tangents lean in by e
	a, b := t-math.Pi/2+e, t+math.Pi/2-e
	p.moveTo(x1+r1*math.Cos(a), y1+r1*math.Sin(a))
	p.arc(x1, y1, r1, a, b)
	p.lineTo(x0+r0*math.Cos(b), y0+r0*math.Sin(b))
	p.arc(x0, y0, r0, b, a+2*math.Pi)
	p.z.ClosePath()
}

// arcStroke adds a stroke of width w with round ends along the circle
// (cx, cy, r) from angle a0 to a1 > a0.
func (p *path) arcStroke(cx, cy, r, a0, a1, w float64) {
	h := w / 2
	p.moveTo(cx+(r+h)*math.Cos(a0), cy+(r+h)*math.Sin(a0))
	p.arc(cx, cy, r+h, a0, a1)
	p.arc(cx+r*math.Cos(a1), cy+r*math.Sin(a1), h, a1, a1+math.Pi)
	p.arc(cx, cy, r-h, a1, a0)
	p.arc(cx+r*math.Cos(a0), cy+r*math.Sin(a0), h, a0+math.Pi, a0+2*math.Pi)
	p.z.ClosePath()
}

// roundRect adds a rectangle with corners rounded to radius r.
func (p *path) roundRect(x0, y0, x1, y1, r float64) {
	p.moveTo(x0+r, y0)
	p.lineTo(x1-r, y0)
	p.arc(x1-r, y0+r, r, -math.Pi/2, 0)
	p.lineTo(x1, y1-r)
	p.arc(x1-r, y1-r, r, 0, math.Pi/2)
	p.lineTo(x0+r, y1)
	p.arc(x0+r, y1-r, r, math.Pi/2, math.Pi)
	p.lineTo(x0, y0+r)
	p.arc(x0+r, y0+r, r, math.Pi, 3*math.Pi/2)
	p.z.ClosePath()
}
