// Package atomicfile writes files so that a crash or power cut leaves either
// the old content or the new, never a torn mix.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempSuffix ends the name of every temporary file Write makes, so that
// RemoveTemp finds those a killed process left.
const tempSuffix = ".tmp"

// attempts bounds the writes of one Write whose temporary file another
// process's RemoveTemp took away before it was renamed.
const attempts = 3

// Write replaces path with data, created with perm (before any byte is
// written, so a secret is never readable by others even for a moment). The
// directory is created 0700 if missing.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	var err error
	for range attempts {
		err = write(dir, path, data, perm)
		// Its temporary file vanished: a process starting just then took it
		// for a dead one's (see RemoveTemp). Write it again.
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

func write(dir, path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*"+tempSuffix)
	if err != nil {
		return err
	}
	// Removed on every way out but the rename, which consumes it. Only a
	// process killed in between leaves it, for RemoveTemp.
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, data, perm); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// RemoveTemp removes the temporary files that writes to dir by a process
// that was killed left behind. They may hold what the file they were to
// replace held: a token in the fallback file, for one. A write under way in
// another process at that moment loses its temporary file and writes it
// again. It returns the files it could not remove.
func RemoveTemp(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("removing temporary files: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if e.Type().IsRegular() && isTemp(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// isTemp reports whether name is one of Write's temporary files: with its
// suffix, or as versions before it named them (".settings.json.123456").
func isTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	if strings.HasSuffix(name, tempSuffix) {
		return true
	}
	i := strings.LastIndexByte(name, '.')
	digits := name[i+1:]
	return i > 0 && digits != "" && strings.Trim(digits, "0123456789") == ""
}

func writeAndClose(f *os.File, data []byte, perm os.FileMode) error {
	err := f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the rename durable. Not every platform can sync a directory
// (Windows cannot open one), and the rename itself is already atomic, so a
// failure here is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() //nolint:errcheck // see above
		d.Close()
	}
}
