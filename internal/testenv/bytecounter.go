package testenv

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// ByteCounter plays a socket of someone else's: it takes every connection
// of its listener and counts what each sends.
type ByteCounter struct {
	l  net.Listener
	n  atomic.Int64
	wg sync.WaitGroup
}

// CountBytes starts taking the connections of l.
func CountBytes(l net.Listener) *ByteCounter {
	c := &ByteCounter{l: l}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				defer conn.Close()
				n, _ := io.Copy(io.Discard, conn)
				c.n.Add(n)
			}()
		}
	}()
	return c
}

// Received closes the listener and returns how many bytes it was sent,
// once every connection has ended.
func (c *ByteCounter) Received() int64 {
	c.l.Close()
	c.wg.Wait()
	return c.n.Load()
}
