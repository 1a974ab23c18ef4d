package icons

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"maps"
	"os"
	"testing"

	"ucontact-tray/assets/icons/internal/draw"
)

var pngSig = []byte("\x89PNG\r\n\x1a\n")

// committed maps each file the generator writes, but app.ico, to its
// embedded bytes.
var committed = map[string][]byte{
	"logged-in.png":  LoggedInPNG,
	"logged-out.png": LoggedOutPNG,
	"busy.png":       BusyPNG,
	"attention.png":  AttentionPNG,
	"on-break.png":   OnBreakPNG,
	"app.png":        AppPNG,
	"logged-in.ico":  LoggedInICO,
	"logged-out.ico": LoggedOutICO,
	"busy.ico":       BusyICO,
	"attention.ico":  AttentionICO,
	"on-break.ico":   OnBreakICO,
}

var trayPNGs = []string{"logged-in.png", "logged-out.png", "busy.png", "attention.png", "on-break.png"}

func decode(t *testing.T, name string, b []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// Normalise to premultiplied 8-bit RGBA, whatever the encoder chose.
	n := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			n.Set(x, y, img.At(x, y))
		}
	}
	return n
}

func TestPNGs(t *testing.T) {
	sizes := map[string]int{"app.png": draw.AppSize}
	for _, name := range trayPNGs {
		sizes[name] = draw.TraySize
	}
	for name, size := range sizes {
		img := decode(t, name, committed[name])
		if b := img.Bounds(); b != image.Rect(0, 0, size, size) {
			t.Errorf("%s: bounds %v, want %dx%d", name, b, size, size)
			continue
		}
		if a := img.RGBAAt(size/2, size/2).A; a != 0xFF {
			t.Errorf("%s: centre alpha %d, want opaque", name, a)
		}
		for _, p := range []image.Point{{0, 0}, {size - 1, 0}, {0, size - 1}, {size - 1, size - 1}} {
			if a := img.RGBAAt(p.X, p.Y).A; a != 0 {
				t.Errorf("%s: corner %v alpha %d, want transparent", name, p, a)
			}
		}
	}
}

// The tray icons must differ, and not only in colour: the white glyphs
// (check, ring, dots, "!", pause bars) must have different shapes, for colour-blind
// users.
func TestTrayIconsDiffer(t *testing.T) {
	glyphs := make([][]bool, len(trayPNGs))
	for i, name := range trayPNGs {
		img := decode(t, name, committed[name])
		for j := range trayPNGs[:i] {
			if bytes.Equal(committed[name], committed[trayPNGs[j]]) {
				t.Errorf("%s and %s are the same file", name, trayPNGs[j])
			}
		}
		glyph := make([]bool, 0, len(img.Pix)/4)
		for p := 0; p < len(img.Pix); p += 4 {
			r, g, b, a := img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3]
			glyph = append(glyph, a > 0xC0 && r > 0xC0 && g > 0xC0 && b > 0xC0)
		}
		glyphs[i] = glyph
	}
	for i := range glyphs {
		for j := range glyphs[:i] {
			diff := 0
			for k := range glyphs[i] {
				if glyphs[i][k] != glyphs[j][k] {
					diff++
				}
			}
			// A 64×64 icon has 4096 pixels; each glyph covers several hundred.
			if diff < 200 {
				t.Errorf("glyphs of %s and %s differ in %d pixels, want at least 200", trayPNGs[i], trayPNGs[j], diff)
			}
		}
	}
}

type icoEntry struct {
	size int
	data []byte
}

// parseICO checks the header of an .ico file and returns its images.
func parseICO(b []byte) ([]icoEntry, error) {
	le := binary.LittleEndian
	if len(b) < 6 {
		return nil, fmt.Errorf("%d bytes, too short for a header", len(b))
	}
	if r, typ := le.Uint16(b[0:]), le.Uint16(b[2:]); r != 0 || typ != 1 {
		return nil, fmt.Errorf("reserved %d, type %d; want 0, 1", r, typ)
	}
	count := int(le.Uint16(b[4:]))
	if len(b) < 6+16*count {
		return nil, fmt.Errorf("%d bytes, too short for %d entries", len(b), count)
	}
	var entries []icoEntry
	for i := range count {
		e := b[6+16*i : 6+16*(i+1)]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		if w != h {
			return nil, fmt.Errorf("entry %d: %dx%d, want square", i, w, h)
		}
		if planes, bpp := le.Uint16(e[4:]), le.Uint16(e[6:]); planes != 1 || bpp != 32 {
			return nil, fmt.Errorf("entry %d: %d planes, %d bits; want 1, 32", i, planes, bpp)
		}
		n, off := int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
		if off < 6+16*count || n < len(pngSig) || off+n > len(b) {
			return nil, fmt.Errorf("entry %d: %d bytes at %d, outside the %d-byte file", i, n, off, len(b))
		}
		data := b[off : off+n]
		if !bytes.HasPrefix(data, pngSig) {
			return nil, fmt.Errorf("entry %d: no PNG signature at offset %d", i, off)
		}
		entries = append(entries, icoEntry{w, data})
	}
	return entries, nil
}

func TestICOs(t *testing.T) {
	for _, s := range draw.States {
		name := s.Name() + ".ico"
		entries, err := parseICO(committed[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(entries) != 2 || entries[0].size != 32 || entries[1].size != 16 {
			var got []int
			for _, e := range entries {
				got = append(got, e.size)
			}
			t.Errorf("%s: image sizes %v, want [32 16]", name, got)
			continue
		}
		for _, e := range entries {
			img := decode(t, name, e.data)
			if b := img.Bounds(); b != image.Rect(0, 0, e.size, e.size) {
				t.Errorf("%s: %d px entry holds a %v image", name, e.size, b)
			}
		}
	}
}

// The committed files must be what the generator draws now. Byte equality is
// expected; if only the bytes differ (another Go version compresses
// differently, or another architecture rounds a float differently), the
// pixels must still match within maxDelta.
func TestUpToDate(t *testing.T) {
	const maxDelta = 2
	files, err := draw.Files()
	if err != nil {
		t.Fatal(err)
	}
	// app.ico is not embedded: only the Windows build's resources use it
	// (scripts/winres.sh).
	appICO, err := os.ReadFile("app.ico")
	if err != nil {
		t.Fatal(err)
	}
	all := maps.Clone(committed)
	all["app.ico"] = appICO
	if len(files) != len(all) {
		t.Errorf("generator writes %d files, %d are committed", len(files), len(all))
	}
	for _, f := range files {
		old, ok := all[f.Name]
		if !ok {
			t.Errorf("generator writes %s, which is not committed", f.Name)
			continue
		}
		if bytes.Equal(old, f.Data) {
			continue
		}
		var oldImgs, newImgs [][]byte
		if bytes.HasPrefix(f.Data, pngSig) {
			oldImgs, newImgs = [][]byte{old}, [][]byte{f.Data}
		} else {
			oe, err1 := parseICO(old)
			ne, err2 := parseICO(f.Data)
			if err1 != nil || err2 != nil || len(oe) != len(ne) {
				t.Errorf("%s is out of date: run `go generate ./assets/icons/`", f.Name)
				continue
			}
			for i := range oe {
				oldImgs, newImgs = append(oldImgs, oe[i].data), append(newImgs, ne[i].data)
			}
		}
		worst := 0
		for i := range oldImgs {
			worst = max(worst, pixelDelta(t, f.Name, oldImgs[i], newImgs[i]))
		}
		if worst > maxDelta {
			t.Errorf("%s is out of date (a pixel channel differs by %d): run `go generate ./assets/icons/`", f.Name, worst)
		} else {
			t.Logf("%s: bytes differ from the generator's, pixels match within %d", f.Name, maxDelta)
		}
	}
}

// pixelDelta returns the largest difference between two PNGs' channels, or
// 256 when their sizes differ.
func pixelDelta(t *testing.T, name string, a, b []byte) int {
	ia, ib := decode(t, name, a), decode(t, name, b)
	if ia.Bounds() != ib.Bounds() {
		return 256
	}
	worst := 0
	for i := range ia.Pix {
		d := int(ia.Pix[i]) - int(ib.Pix[i])
		worst = max(worst, d, -d)
	}
	return worst
}
