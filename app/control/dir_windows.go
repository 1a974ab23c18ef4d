package control

import (
	"fmt"
	"os"
	"path/filepath"
)

// Dir is the folder of the instance lock, and the name of the control pipe
// (see SocketPath): ucontact-tray in the user's local application data.
// That folder is in the user's profile, which only the user (and the
// administrators) can write to; the pipe admits the user alone, and a
// client checks that the pipe's server runs as the user before it sends
// anything. getenv is not used on Windows.
func Dir(getenv func(string) string) (string, error) {
	return DirFor(getenv, os.UserCacheDir)
}

// DirFor is Dir with the user's cache folder given by cacheDir
// (os.UserCacheDir, or a test's).
func DirFor(_ func(string) string, cacheDir func() (string, error)) (string, error) {
	cache, err := cacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a folder for the control socket: %w", err)
	}
	return filepath.Join(cache, "ucontact-tray"), nil
}

// checkOwnDir: the profile's permissions keep the folder the user's.
func checkOwnDir(string) error { return nil }
