package control

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"ucontact-tray/session"
)

// The first client of a resident that has just started is answered, at
// once. (Under Wine, the named pipe's first instance, which go-winio never
// serves, took that client, and it waited until its deadline: the first
// window the tray app started stalled.)
func TestFirstClientIsAnswered(t *testing.T) {
	dir := pipeDir(t)
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(idleHandler{}, slog.New(slog.DiscardHandler), nil).Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		l.Close()
	})
	client := NewClient(SocketPath(dir))
	for i := range 3 {
		callCtx, callCancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := client.Status(callCtx)
		callCancel()
		if err != nil || st.State != session.LoggedOut.String() {
			t.Fatalf("call %d: %+v, %v; want an answer", i+1, st, err)
		}
	}
}

// pipeDir is a folder for the instance lock. Not t.TempDir: its removal
// fails under Wine 8 (Go's os.RemoveAll uses a file API Wine lacks).
func pipeDir(t *testing.T) string {
	t.Helper()
	parent, err := os.MkdirTemp("", "uctw")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "ucontact-tray")
	t.Cleanup(func() {
		os.Remove(filepath.Join(dir, "resident.lock")) //nolint:errcheck // best effort
		os.Remove(dir)                                 //nolint:errcheck
		os.Remove(parent)                              //nolint:errcheck
	})
	return dir
}

// A client sends nothing to a pipe whose server runs as another user:
// here, one that expects the pipe to be LocalSystem's.
func TestClientRefusesAPipeOfAnotherUser(t *testing.T) {
	dir := pipeDir(t)
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(idleHandler{}, slog.New(slog.DiscardHandler), nil).Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		l.Close()
	})
	me, err := currentUser()
	if err != nil {
		t.Fatal(err)
	}
	system := func() (userID, error) { return windows.CreateWellKnownSid(windows.WinLocalSystemSid) }
	callCtx, callCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer callCancel()
	_, err = (&Client{path: SocketPath(dir), user: system}).Status(callCtx)
	var fe *ForeignError
	if !errors.As(err, &fe) || !errors.Is(err, ErrForeignSocket) || !strings.Contains(fe.Owner, me.String()) {
		t.Fatalf("Status = %v, want a ForeignError naming %s", err, me)
	}
}
