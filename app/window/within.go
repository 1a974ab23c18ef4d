package window

// within places a window along one axis: pos and size are the window's
// own, before and after its frame's on either side, start and length the
// work area's. The window moves back if it extends past the area's end,
// and then, if it still starts before it (it is too large), to its start.
func within(pos, size, before, after, start, length int) int {
	if end := start + length; pos+size+after > end {
		pos = end - after - size
	}
	if pos-before < start {
		pos = start + before
	}
	return pos
}
