package testenv

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func TestFramebufferOfABlankScreen(t *testing.T) {
	_, fb := StartXvfbFramebuffer(t)
	pixels, colours, err := fb.Drawn()
	if err != nil || pixels != 0 || colours != 0 {
		t.Fatalf("blank screen: %d pixels in %d colours, %v", pixels, colours, err)
	}
}

// A 3x2 XWD image with three drawn pixels in two colours.
func TestFramebufferCountsDrawnPixels(t *testing.T) {
	const headerSize, width, height = 104, 3, 2
	header := make([]uint32, headerSize/4)
	header[0], header[4], header[5] = headerSize, width, height
	header[11], header[12], header[19] = 32, 4*width, 1 // one colour-map entry to skip
	var data []byte
	for _, v := range header {
		data = binary.BigEndian.AppendUint32(data, v)
	}
	data = append(data, make([]byte, 12)...)
	for _, px := range []uint32{0, 0x123456, 0xff000000, 0x123456, 0x00ff00, 0} {
		data = binary.LittleEndian.AppendUint32(data, px) // 0xff000000: only padding bits, still black
	}
	path := filepath.Join(t.TempDir(), "screen")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pixels, colours, err := (&Framebuffer{path: path}).Drawn()
	if err != nil || pixels != 3 || colours != 2 {
		t.Fatalf("got %d pixels in %d colours, %v; want 3 in 2", pixels, colours, err)
	}
	if _, _, err := (&Framebuffer{path: path + "-none"}).Drawn(); err == nil {
		t.Fatal("no error for a missing framebuffer")
	}
}
