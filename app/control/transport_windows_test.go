package control

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session"
)

// The first client of a resident that has just started is answered, at
// once. (Under Wine, the named pipe's first instance, which go-winio never
// serves, took that client, and it waited until its deadline: the first
// window the tray app started stalled.)
func TestFirstClientIsAnswered(t *testing.T) {
	dir := pipeDir(t)
	serveIdle(t, dir)
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

// serveIdle serves the control pipe of dir with a resident that has no
// session, until the test ends.
func serveIdle(t *testing.T, dir string) {
	t.Helper()
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
}

// pipeDir is a folder for the instance lock, removed when the test ends
// (see testenv.TempDir for why not t.TempDir).
func pipeDir(t *testing.T) string {
	return filepath.Join(testenv.TempDir(t), "ucontact-tray")
}

// A client sends nothing to a pipe whose server runs as another user:
// here, one that expects the pipe to be LocalSystem's.
func TestClientRefusesAPipeOfAnotherUser(t *testing.T) {
	dir := pipeDir(t)
	serveIdle(t, dir)
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
