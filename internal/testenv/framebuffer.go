package testenv

import (
	"encoding/binary"
	"fmt"
	"os"
)

// Framebuffer is the screen of an Xvfb started by StartXvfbFramebuffer, as
// the file Xvfb keeps it in (XWD format, updated as clients draw).
type Framebuffer struct {
	path string
}

// Drawn is how much of the screen is drawn on: the pixels that are not
// black (the root window's colour) and how many colours they have. A window
// mapped but not yet painted shows the black root through it; a first frame
// with text has its background colour and the text's anti-aliased shades.
func (fb *Framebuffer) Drawn() (pixels, colours int, err error) {
	data, err := os.ReadFile(fb.path)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the framebuffer: %w", err)
	}
	// The XWD header: big-endian 32-bit fields.
	field := func(i int) int {
		if len(data) < 4*(i+1) {
			return -1
		}
		return int(binary.BigEndian.Uint32(data[4*i:]))
	}
	headerSize, width, height := field(0), field(4), field(5)
	byteOrder, bitsPerPixel, bytesPerLine, colourMapEntries := field(7), field(11), field(12), field(19)
	if headerSize < 0 || bitsPerPixel != 32 {
		return 0, 0, fmt.Errorf("framebuffer %s: not a 32-bit XWD image", fb.path)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if byteOrder == 1 { // MSBFirst
		order = binary.BigEndian
	}
	start := headerSize + 12*colourMapEntries
	if start+height*bytesPerLine > len(data) {
		return 0, 0, fmt.Errorf("framebuffer %s: %d bytes, too short for %dx%d", fb.path, len(data), width, height)
	}
	seen := map[uint32]bool{}
	for y := range height {
		row := data[start+y*bytesPerLine:]
		for x := range width {
			px := order.Uint32(row[4*x:]) & 0xffffff
			if px != 0 {
				pixels++
				seen[px] = true
			}
		}
	}
	return pixels, len(seen), nil
}
