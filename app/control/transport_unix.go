//go:build unix

package control

import (
	"context"
	"errors"
	"io/fs"
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

// userID is who a resident must run as: a uid.
type userID = int

func currentUser() (userID, error) { return os.Getuid(), nil }

// dial connects to the socket at path once it has shown that uid made it
// and listens on it: the socket file is uid's, and so is the process at
// the other end, where the system says (see peerUID).
func dial(ctx context.Context, path string, uid userID) (net.Conn, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err // none: nobody listens
	}
	if owner := ownerOf(fi); owner != uid {
		return nil, &ForeignError{Path: path, Owner: uidName(owner)}
	}
	switch fi.Mode().Type() {
	case fs.ModeSocket:
	case fs.ModeSymlink:
		// Ours, but it could lead to anyone's socket.
		return nil, &ForeignError{Path: path, Err: errors.New("a link, not a socket")}
	default:
		// A file of ours where the socket was: nobody listens.
		return nil, &os.PathError{Op: "dial", Path: path, Err: syscall.ECONNREFUSED}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	// The file may have been replaced since it was looked at: the peer's
	// credentials are those of whoever listens now.
	if err := checkPeer(conn, path, uid); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// checkPeer fails with a ForeignError unless the other end of conn runs as
// uid. Where the system does not tell (see peerUID), the socket's and its
// folder's owner are all there is.
func checkPeer(conn net.Conn, path string, uid userID) error {
	peer, err := peerUID(conn)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		return nil
	case err != nil:
		return &ForeignError{Path: path, Err: err}
	case peer != uid:
		return &ForeignError{Path: path, Owner: uidName(peer)}
	}
	return nil
}

// checkClient refuses a connection from another user. The socket's folder
// already keeps them out; this also covers a folder made too open by hand.
func checkClient(conn net.Conn) error {
	return checkPeer(conn, conn.LocalAddr().String(), os.Getuid())
}

// noResident reports whether a dial error means nobody listens.
func noResident(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED)
}
