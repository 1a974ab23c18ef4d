//go:build unix

package control

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A resident that runs out of file descriptors cannot accept its clients
// for a while; it answers them again, the one waiting included, as soon
// as descriptors are free. The resident is a helper process with a low
// RLIMIT_NOFILE, so that this test process keeps its own.
func TestTheSocketComesBackAfterRunningOutOfDescriptors(t *testing.T) {
	dir := shortDir(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	resident := startChild(t, self, "few-descriptors", dir, nil)
	resident.expect("ready")
	client := NewClient(SocketPath(dir))
	// Bounds, so that a socket that never comes back fails the test.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.Status(ctx); err != nil {
		t.Fatalf("before: %v", err)
	}
	for round := 1; round <= 2; round++ {
		resident.say("exhaust")
		resident.expect("exhausted")
		answered := make(chan error, 1)
		go func() {
			_, err := client.Status(ctx)
			answered <- err
		}()
		resident.expect("too many open files") // it tried to accept that call
		resident.say("free")
		// Said before it frees them: the server can accept nothing until
		// then, so its "accepting again" comes after this.
		resident.expect("freeing")
		freed := time.Now()
		if err := <-answered; err != nil {
			t.Fatalf("round %d: the call waiting was not answered: %v", round, err)
		}
		t.Logf("round %d: answered %v after the descriptors were freed", round, time.Since(freed).Round(time.Millisecond))
		resident.expect("accepting connections again")
		if _, err := client.Status(ctx); err != nil {
			t.Fatalf("round %d: the next call: %v", round, err)
		}
	}
}

// residentWithFewDescriptors serves the control socket in dir with at most
// 64 file descriptors. Told "exhaust", it takes every descriptor left;
// told "free", it says "freeing" and gives them back.
func residentWithFewDescriptors(dir string) error {
	l, err := Listen(dir)
	if err != nil {
		return err
	}
	defer l.Close()
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := NewServer(idleHandler{}, log, nil)
	go srv.Serve(ctx, l) //nolint:errcheck // logged
	limit := unix.Rlimit{Cur: 64, Max: 64}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &limit); err != nil {
		return fmt.Errorf("lowering RLIMIT_NOFILE: %w", err)
	}
	fmt.Println("ready")
	var held []*os.File
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "exhaust":
			// The last call's connection may not be closed yet: the
			// descriptor it frees would let the next accept through.
			srv.waitForNoClients()
			for {
				f, err := os.Open(os.DevNull)
				if errors.Is(err, syscall.EMFILE) {
					break
				}
				if err != nil {
					return err
				}
				held = append(held, f)
			}
			fmt.Println("exhausted, holding", len(held))
		case "free":
			fmt.Println("freeing")
			for _, f := range held {
				f.Close()
			}
			held = nil
		}
	}
	return in.Err()
}

// waitForNoClients returns once the server holds no connection.
func (s *Server) waitForNoClients() {
	for {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			return
		}
		<-s.freed
	}
}
