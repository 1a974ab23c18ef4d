package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TempDir is t.TempDir, for tests that also run under Wine: there, the
// testing package's cleanup fails (os.RemoveAll deletes with
// FileDispositionInformationEx, which Wine 8 answers with an error that Go
// does not fall back from), so on Windows the folder is removed entry by
// entry with os.Remove, which the app itself uses.
func TempDir(t testing.TB) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "uct-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error { //nolint:errcheck // best effort
			if err == nil {
				paths = append(paths, path)
			}
			return nil
		})
		// Deepest first: a folder is empty by the time it is removed.
		slices.Reverse(paths)
		for _, p := range paths {
			if err := os.Remove(p); err != nil {
				t.Errorf("cleaning up: %v", err)
			}
		}
	})
	return dir
}
