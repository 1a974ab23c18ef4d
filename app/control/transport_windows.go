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

// userID is who a resident must run as: a user's SID.
type userID = *windows.SID

func currentUser() (userID, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("finding the current user: %w", err)
	}
	return user.User.Sid.Copy()
}

// dial connects to the pipe at path and checks that its server runs as
// user. Pipe names are machine-wide: another user's program can make the
// pipe first, and whatever is sent to it is theirs.
func dial(ctx context.Context, path string, user userID) (net.Conn, error) {
	conn, err := winio.DialPipeContext(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := checkServer(conn, path, user); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// checkServer fails with a ForeignError unless the process serving conn
// runs as user.
func checkServer(conn net.Conn, path string, user userID) error {
	f, ok := conn.(interface{ Fd() uintptr })
	if !ok {
		return &ForeignError{Path: path, Err: fmt.Errorf("no handle on a %T", conn)}
	}
	var pid uint32
	if err := windows.GetNamedPipeServerProcessId(windows.Handle(f.Fd()), &pid); err != nil {
		return &ForeignError{Path: path, Err: fmt.Errorf("finding the pipe's server: %w", err)}
	}
	server, err := processUser(pid)
	if err != nil {
		// A process this user cannot even query is not this user's.
		return &ForeignError{Path: path, Err: fmt.Errorf("process %d: %w", pid, err)}
	}
	if !windows.EqualSid(server, user) {
		return &ForeignError{Path: path, Owner: sidName(server)}
	}
	return nil
}

// processUser is the user whose token the process pid runs with.
func processUser(pid uint32) (*windows.SID, error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return nil, err
	}
	defer windows.CloseHandle(h) //nolint:errcheck // only read from
	var token windows.Token
	if err := windows.OpenProcessToken(h, windows.TOKEN_QUERY, &token); err != nil {
		return nil, err
	}
	defer token.Close()
	user, err := token.GetTokenUser()
	if err != nil {
		return nil, err
	}
	return user.User.Sid.Copy()
}

// sidName is the SID, with its account's name when it can be found.
func sidName(sid *windows.SID) string {
	if account, domain, _, err := sid.LookupAccount(""); err == nil {
		return domain + `\` + account + " " + sid.String()
	}
	return sid.String()
}

// checkClient: the pipe's security descriptor admits the user alone.
func checkClient(net.Conn) error { return nil }

// noResident reports whether a dial error means nobody listens.
func noResident(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND)
}
