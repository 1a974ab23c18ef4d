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
	"sync"
	"time"

	"ucontact-tray/session"
)

// maxRequest bounds a request line: a login is well under 1 KiB.
const maxRequest = 64 << 10

// loginTimeout bounds a login asked for over the socket. The login goes on
// if the client hangs up (a window closed or killed mid-login): the user
// asked for it, and the tray shows the outcome.
const loginTimeout = 30 * time.Second

// Handler is what the resident does for its clients.
type Handler interface {
	Login(ctx context.Context, req LoginRequest) error
	Logout(ctx context.Context) error
	Snapshot() session.Snapshot
	Subscribe() (<-chan session.Snapshot, func())
	Show() error
	Info(ctx context.Context) Info
	Quit()
	ChangeSettings(ctx context.Context, req SettingsRequest) error
}

// Server serves the control socket.
type Server struct {
	handler Handler
	log     *slog.Logger
	ready   <-chan struct{}

	mu       sync.Mutex
	watchers map[chan struct{}]struct{} // raise signals, one per watch stream
	wg       sync.WaitGroup
}

// NewServer returns a server for handler. If ready is not nil, requests
// wait until it is closed: the socket can then accept from the moment it
// exists, before the handler can answer. (A client that connects to a
// Windows named pipe nobody accepts on yet can hang under Wine.)
func NewServer(handler Handler, log *slog.Logger, ready <-chan struct{}) *Server {
	if ready == nil {
		open := make(chan struct{})
		close(open)
		ready = open
	}
	return &Server{handler: handler, log: log, ready: ready, watchers: map[chan struct{}]struct{}{}}
}

// Serve accepts connections on l until ctx ends, then closes l and waits
// for the connections to finish.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	defer s.wg.Wait()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return fmt.Errorf("control socket: %w", err)
		}
		if err := checkClient(conn); err != nil {
			s.log.Warn("control socket: refused a connection", "err", err)
			conn.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.serveConn(ctx, conn)
		}()
	}
}

// Raise asks every watching window to come to the front. It reports whether
// any window was watching.
func (s *Server) Raise() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default: // one pending raise is enough
		}
	}
	return len(s.watchers) > 0
}

func (s *Server) serveConn(ctx context.Context, conn net.Conn) {
	select {
	case <-s.ready:
	case <-ctx.Done():
		return
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck // best effort
	line, err := bufio.NewReader(io.LimitReader(conn, maxRequest)).ReadBytes('\n')
	if err != nil {
		s.log.Warn("control socket: unreadable request", "err", err)
		return
	}
	conn.SetReadDeadline(time.Time{}) //nolint:errcheck
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		writeResponse(conn, Response{Error: &Error{Code: "", Message: "malformed request"}})
		return
	}
	s.log.Debug("control request", "op", req.Op)
	enc := json.NewEncoder(conn)
	switch req.Op {
	case OpStatus:
		st := StatusOf(s.handler.Snapshot())
		enc.Encode(Response{Status: &st}) //nolint:errcheck // the client may be gone
	case OpLogin:
		if req.Login == nil {
			enc.Encode(Response{Error: &Error{Message: "login without credentials"}}) //nolint:errcheck
			return
		}
		// Tied to the server, not to the connection: the login goes on if
		// the client hangs up, and stops if the resident does.
		lctx, cancel := context.WithTimeout(ctx, loginTimeout)
		defer cancel()
		err := s.handler.Login(lctx, *req.Login)
		st := StatusOf(s.handler.Snapshot())
		enc.Encode(Response{Status: &st, Error: errorOf(err)}) //nolint:errcheck
	case OpLogout:
		err := s.handler.Logout(ctx)
		st := StatusOf(s.handler.Snapshot())
		enc.Encode(Response{Status: &st, Error: errorOf(err)}) //nolint:errcheck
	case OpShow:
		enc.Encode(Response{Error: errorOf(s.handler.Show())}) //nolint:errcheck
	case OpInfo:
		info := s.handler.Info(ctx)
		enc.Encode(Response{Info: &info}) //nolint:errcheck
	case OpQuit:
		enc.Encode(Response{}) //nolint:errcheck
		s.handler.Quit()
	case OpSettings:
		if req.Settings == nil {
			enc.Encode(Response{Error: &Error{Message: "settings request without settings"}}) //nolint:errcheck
			return
		}
		enc.Encode(Response{Error: errorOf(s.handler.ChangeSettings(ctx, *req.Settings))}) //nolint:errcheck
	case OpWatch:
		s.watch(ctx, conn, enc)
	default:
		enc.Encode(Response{Error: &Error{Message: "unknown operation " + req.Op}}) //nolint:errcheck
	}
}

// watch streams status changes and raise requests until the client hangs up.
func (s *Server) watch(ctx context.Context, conn net.Conn, enc *json.Encoder) {
	updates, cancel := s.handler.Subscribe()
	defer cancel()
	raise := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers[raise] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.watchers, raise)
		s.mu.Unlock()
	}()
	// The client never writes again: a read returns when it hangs up.
	gone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn) //nolint:errcheck
		close(gone)
	}()
	for {
		var resp Response
		select {
		case snap, ok := <-updates:
			if !ok {
				return
			}
			st := StatusOf(snap)
			resp.Status = &st
		case <-raise:
			resp.Raise = true
		case <-gone:
			return
		case <-ctx.Done():
			return
		}
		if err := enc.Encode(resp); err != nil {
			return
		}
	}
}

func writeResponse(w io.Writer, r Response) {
	json.NewEncoder(w).Encode(r) //nolint:errcheck // the client may be gone
}

// ErrNoResident means no resident process listens on the socket.
var ErrNoResident = errors.New("the tray app is not running")

// ErrNotAnswering means the tray app runs (its socket is there) but did not
// answer a call in time, or hung up before answering.
var ErrNotAnswering = errors.New("the tray app did not answer")
