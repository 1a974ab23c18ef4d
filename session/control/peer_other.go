//go:build !linux

package control

import "net"

// checkPeer relies on the socket directory's permissions where peer
// credentials are not at hand.
func checkPeer(net.Conn) error { return nil }
