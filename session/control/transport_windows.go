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
	return winio.ListenPipe(path, &winio.PipeConfig{SecurityDescriptor: sd})
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
