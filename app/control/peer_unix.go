//go:build linux || darwin || freebsd

package control

import (
	"errors"
	"net"
)

// peerUID is the uid of the process at the other end of conn, as the
// kernel recorded it when the connection was made (see peerCredUID).
func peerUID(conn net.Conn) (int, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return 0, errors.New("not a unix socket")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var uid int
	var credErr error
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerCredUID(int(fd)) }); err != nil {
		return 0, err
	}
	return uid, credErr
}
