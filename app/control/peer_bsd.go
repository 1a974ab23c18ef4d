//go:build darwin || freebsd

package control

import "golang.org/x/sys/unix"

// peerCredUID reads the peer's effective uid with LOCAL_PEERCRED, what
// getpeereid reads.
func peerCredUID(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return 0, err
	}
	return int(cred.Uid), nil
}
