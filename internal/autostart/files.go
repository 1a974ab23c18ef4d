//go:build !windows

package autostart

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"ucontact-tray/internal/atomicfile"
)

// fileEntry is an entry kept as a file: ours if it holds marker.
type fileEntry struct {
	path   string
	marker []byte
}

// state is the file as it is now.
type state struct {
	exists, ours bool
	content      []byte
}

func (f fileEntry) read() (state, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("reading the autostart entry: %w", err)
	}
	return state{exists: true, ours: bytes.Contains(b, f.marker), content: b}, nil
}

func (f fileEntry) write(content []byte) error {
	st, err := f.read()
	if err != nil {
		return err
	}
	if st.exists && !st.ours {
		return fmt.Errorf("%s: %w", f.path, ErrNotOurs)
	}
	if err := atomicfile.Write(f.path, content, 0o644); err != nil {
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	return nil
}

func (f fileEntry) remove() error {
	st, err := f.read()
	switch {
	case err != nil:
		return err
	case !st.exists:
		return nil
	case !st.ours:
		return fmt.Errorf("%s: %w", f.path, ErrNotOurs)
	}
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the autostart entry: %w", err)
	}
	return nil
}
