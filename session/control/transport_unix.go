//go:build unix

package control

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// SocketPath is the control socket in dir.
func SocketPath(dir string) string { return filepath.Join(dir, "control.sock") }

// listen makes the socket, 0600. The caller holds the instance lock, so a
// socket file still there is a dead resident's.
func listen(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// cleanUp removes the socket file (the listener usually did already).
func cleanUp(path string) { os.Remove(path) } //nolint:errcheck

func dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}

// noResident reports whether a dial error means nobody listens.
func noResident(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED)
}
