//go:build unix

package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"testing"
	"time"

	"ucontact-tray/session"
)

// blockingHandler is a resident whose logins wait until released.
type blockingHandler struct {
	idleHandler
	loginStarted chan struct{}
	release      chan struct{}
}

func (h *blockingHandler) Login(ctx context.Context, _ LoginRequest) error {
	h.loginStarted <- struct{}{}
	select {
	case <-h.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serve serves h on a fresh socket until the test ends, and returns the
// server and the socket's path.
func serve(t testing.TB, h Handler) (*Server, string) {
	t.Helper()
	dir := shortDir(t)
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(h, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		l.Close()
	})
	return s, SocketPath(dir)
}

// rawConn is a client that speaks the protocol by hand; its reads give up
// after 10 s, so that a broken server fails the test instead of hanging
// it.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t testing.TB, path string) *rawConn {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *rawConn) send(req Request) {
	c.t.Helper()
	if err := json.NewEncoder(c.conn).Encode(req); err != nil {
		c.t.Fatalf("sending %s: %v", req.Op, err)
	}
}

// read returns the next answer, or the error that ended the connection.
func (c *rawConn) read() (Response, error) {
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return Response{}, err
	}
	var resp Response
	return resp, json.Unmarshal(line, &resp)
}

func (c *rawConn) answer() Response {
	c.t.Helper()
	resp, err := c.read()
	if err != nil {
		c.t.Fatalf("no answer: %v", err)
	}
	return resp
}

// closed fails the test unless the server closed the connection.
func (c *rawConn) closed(name string) {
	c.t.Helper()
	if resp, err := c.read(); !errors.Is(err, io.EOF) {
		c.t.Errorf("%s: read %+v, %v; want the connection closed", name, resp, err)
	}
}

// At the limit, a newcomer is served, and the oldest client that is not
// being served makes room for it; a login in flight, older still, goes on.
func TestANewcomerAtTheLimitClosesTheOldestIdleClient(t *testing.T) {
	h := &blockingHandler{loginStarted: make(chan struct{}, 1), release: make(chan struct{})}
	_, path := serve(t, h)

	login := dialRaw(t, path)
	login.send(Request{Op: OpLogin, Login: &LoginRequest{User: "ana", Password: secretPassword}})
	<-h.loginStarted
	idle := make([]*rawConn, maxConns-1)
	for i := range idle {
		idle[i] = dialRaw(t, path)
	}
	// Connections are accepted in order: this one comes in after all the
	// others, one too many.
	newcomer := dialRaw(t, path)
	newcomer.send(Request{Op: OpStatus})
	if resp := newcomer.answer(); resp.Status == nil || resp.Status.State != session.LoggedOut.String() {
		t.Fatalf("the newcomer got %+v", resp)
	}
	idle[0].closed("the oldest idle client")
	idle[1].send(Request{Op: OpStatus})
	if resp := idle[1].answer(); resp.Status == nil {
		t.Errorf("the next idle client got %+v", resp)
	}
	close(h.release)
	if resp := login.answer(); resp.Error != nil || resp.Status == nil {
		t.Errorf("the login got %+v", resp)
	}
}

// Past the limit of watch streams, the oldest stream is closed; the others
// still get their raise requests.
func TestTheOldestWatchStreamMakesRoom(t *testing.T) {
	server, path := serve(t, idleHandler{})
	watchers := make([]*rawConn, maxWatchers+1)
	for i := range watchers {
		watchers[i] = dialRaw(t, path)
		watchers[i].send(Request{Op: OpWatch})
		if resp := watchers[i].answer(); resp.Status == nil { // the stream is set up
			t.Fatalf("watcher %d got %+v", i, resp)
		}
	}
	watchers[0].closed("the oldest watcher")
	if !server.Raise() {
		t.Fatal("no window was watching")
	}
	for i, w := range watchers[1:] {
		if resp := w.answer(); !resp.Raise {
			t.Errorf("watcher %d got %+v, want a raise", i+1, resp)
		}
	}
}

// Thousands of clients that connect and say nothing cost the server no
// more than its limit, and it still answers.
func TestThousandsOfIdleClients(t *testing.T) {
	const n = 2000
	server, path := serve(t, idleHandler{})
	before := runtime.NumGoroutine()
	for range n {
		dialRaw(t, path)
	}
	c := dialRaw(t, path)
	c.send(Request{Op: OpStatus})
	if resp := c.answer(); resp.Status == nil {
		t.Fatalf("status got %+v", resp)
	}
	server.mu.Lock()
	held := len(server.conns)
	server.mu.Unlock()
	if held > maxConns {
		t.Errorf("the server holds %d connections, more than %d", held, maxConns)
	}
	// Generous: the closed clients' goroutines may still be ending.
	if g := runtime.NumGoroutine() - before; g > 4*maxConns {
		t.Errorf("%d more goroutines with %d idle clients", g, n)
	}
}

// BenchmarkStatusWithIdleClients is a status call while 5,000 clients are
// connected and say nothing, with the server's heap in use.
func BenchmarkStatusWithIdleClients(b *testing.B) {
	const n = 5000
	_, path := serve(b, idleHandler{})
	for range n {
		dialRaw(b, path)
	}
	client := NewClient(path)
	ctx := context.Background()
	if _, err := client.Status(ctx); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	goroutines := runtime.NumGoroutine()
	for b.Loop() {
		if _, err := client.Status(ctx); err != nil {
			b.Fatal(fmt.Errorf("status: %w", err))
		}
	}
	// After the loop: resetting the timer would drop them.
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(goroutines), "goroutines")
}
