package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// SocketPath is the control pipe for dir. Named pipes live in one
// machine-wide namespace (a VDI server runs many users): the name comes
// from dir, which is per user, and the pipe admits its owner only.
func SocketPath(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return `\\.\pipe\ucontact-tray-` + hex.EncodeToString(sum[:8])
}

// listen makes the pipe, with a security descriptor that lets only this
// user connect: passwords cross it.
func listen(path string) (net.Listener, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("finding the current user: %w", err)
	}
	sd := "D:P(A;;GA;;;" + user.User.Sid.String() + ")"
	l, err := winio.ListenPipe(path, &winio.PipeConfig{SecurityDescriptor: sd})
	if err != nil {
		return nil, err
	}
	takeUnservedInstance(path)
	return l, nil
}

// takeUnservedInstance connects to the pipe once and hangs up, before
// anything serves it. go-winio holds the pipe's name with a first instance
// that it never serves, opened without read or write access so that
// Windows keeps it disconnected: there, a client gets ERROR_PIPE_BUSY until
// an Accept makes an instance that is served, and so does this call, which
// then does nothing. Wine (8) connects a client to that first instance
// instead, and the client waits for an answer that never comes: the first
// window the tray app started stalled that way. Taken here, the instance is
// no longer free for a client.
func takeUnservedInstance(path string) {
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
	if err == nil {
		windows.CloseHandle(h) //nolint:errcheck // nothing was written
	}
}

// cleanUp: a pipe vanishes with its listener.
func cleanUp(string) {}

func dial(ctx context.Context, path string) (net.Conn, error) {
	return winio.DialPipeContext(ctx, path)
}

// noResident reports whether a dial error means nobody listens.
func noResident(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND)
}
