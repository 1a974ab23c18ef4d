//go:build darwin || freebsd

package control

import (
	"errors"
	"net"

	"golang.org/x/sys/unix"
)

// peerUID is the effective uid of the process at the other end of conn,
// as the kernel recorded it when the connection was made
// (LOCAL_PEERCRED, what getpeereid reads).
func peerUID(conn net.Conn) (int, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return 0, errors.New("not a unix socket")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Xucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if credErr != nil {
		return 0, credErr
	}
	return int(cred.Uid), nil
}
