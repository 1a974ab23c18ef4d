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
	"syscall"
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
	// CancelLogin gives up the login under way, if any: its Login returns
	// at once, and a session the server opens anyway is ended.
	CancelLogin()
	Logout(ctx context.Context) error
	Snapshot() session.Snapshot
	Subscribe() (<-chan session.Snapshot, func())
	Show() error
	Info(ctx context.Context) Info
	Quit()
	ChangeSettings(ctx context.Context, req SettingsRequest) error
	// StartBreak and EndBreak put the agent on a break, and take them off
	// it (see session.Manager.StartBreak).
	StartBreak(ctx context.Context, motive string) error
	EndBreak(ctx context.Context) error
}

// Limits on clients. A window holds one watch stream and makes a call now
// and then; a command makes one call; an agent has one window and runs a
// command at a time. 64 connections are many times what a user's programs
// hold at once, and a flood of them stays at 64 goroutines and their
// buffers, a few hundred KiB. 16 watch streams leave room for a window,
// the next one while the first closes, and scripts that follow the state.
const (
	maxConns    = 64
	maxWatchers = 16
)

// requestTimeout bounds the wait for a request line, and writeTimeout a
// write: a client that sends nothing, or reads nothing, is dropped instead
// of holding a connection and its buffers.
const (
	requestTimeout = 10 * time.Second
	writeTimeout   = 10 * time.Second
	// farewellTimeout bounds the last message of a watch stream, sent as
	// the resident stops.
	farewellTimeout = 200 * time.Millisecond
)

// Accept retries after a failure, as net/http does: a burst of them (out
// of file descriptors) must not end the socket for the rest of the day.
const (
	firstAcceptDelay = 5 * time.Millisecond
	maxAcceptDelay   = time.Second
)

// Server serves the control socket.
type Server struct {
	handler Handler
	log     *slog.Logger
	ready   <-chan struct{}

	mu     sync.Mutex
	conns  map[*client]struct{}
	next   uint64        // arrival number of the next client
	freed  chan struct{} // a client left: a newcomer waiting for room may come in
	noTray string        // why no tray icon can be shown; "" when one can
	wg     sync.WaitGroup
}

// client is one connection, from its arrival to its end.
type client struct {
	conn net.Conn
	seq  uint64 // arrival order: the lower, the older
	// idle: waiting for its request line, or watching. An idle client is
	// closed for a newcomer when there is no room; one that is being
	// served (a login, a logout) never is.
	idle bool
	// raise and tray are set while the client watches: a raise request
	// for it, and a change of the tray for it to hear. Each holds one
	// pending signal, which is enough: the stream sends the state of the
	// moment.
	raise chan struct{}
	tray  chan struct{}
	// dropped is closed when the server closes the client.
	dropped chan struct{}
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
	return &Server{handler: handler, log: log, ready: ready, conns: map[*client]struct{}{}, freed: make(chan struct{}, 1)}
}

// Serve accepts connections on l until ctx ends or l is closed, then
// waits for the connections being served to finish. A failure to accept
// (no file descriptors left) is retried, after a pause that grows from 5
// ms to 1 s while it lasts.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	// The listener's closing is waited for: it removes the socket file,
	// which must not happen once Serve has returned (the next resident's
	// may be there by then).
	closed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(closed)
		l.Close()
	})
	defer func() {
		if !stop() {
			<-closed
		}
	}()
	defer s.wg.Wait()
	defer func() { s.dropIdle(ctx.Err() != nil) }()
	var delay time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("control socket: %w", err)
			}
			if delay == 0 {
				// Once per burst: the log must not fill with it.
				level := slog.LevelError
				if temporary(err) {
					level = slog.LevelWarn
				}
				s.log.Log(ctx, level, "control socket: cannot accept connections for now; retrying", "err", err)
				delay = firstAcceptDelay
			} else {
				delay = min(2*delay, maxAcceptDelay)
			}
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil
			}
			continue
		}
		if delay != 0 {
			s.log.Info("control socket: accepting connections again")
			delay = 0
		}
		if err := checkClient(conn); err != nil {
			s.log.Warn("control socket: refused a connection", "err", err)
			conn.Close()
			continue
		}
		c, ok := s.admit(ctx, conn)
		if !ok {
			conn.Close()
			return nil
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.remove(c)
			s.serveConn(ctx, c)
		}()
	}
}

// temporary reports whether an accept error is one that passes: the
// process or the system out of file descriptors or memory, a client gone
// before it was accepted.
func temporary(err error) bool {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, errno) {
			return true
		}
	}
	var ne interface {
		Timeout() bool
		Temporary() bool
	}
	return errors.As(err, &ne) && (ne.Timeout() || ne.Temporary())
}

// admit makes room for conn: when there are maxConns clients, the oldest
// idle one is closed, and with none idle, conn waits for one to leave.
// It reports false if ctx ended first.
func (s *Server) admit(ctx context.Context, conn net.Conn) (*client, bool) {
	for {
		s.mu.Lock()
		if len(s.conns) < maxConns || s.dropOldest(func(c *client) bool { return c.idle }) {
			c := &client{conn: conn, seq: s.next, idle: true, dropped: make(chan struct{})}
			s.next++
			s.conns[c] = struct{}{}
			s.mu.Unlock()
			return c, true
		}
		s.mu.Unlock()
		s.log.Debug("control socket: every client is being served; a newcomer waits")
		select {
		case <-s.freed:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// dropOldest closes the oldest client for which which is true, and
// reports whether there was one. s.mu must be held.
func (s *Server) dropOldest(which func(*client) bool) bool {
	var oldest *client
	for c := range s.conns {
		if which(c) && (oldest == nil || c.seq < oldest.seq) {
			oldest = c
		}
	}
	if oldest == nil {
		return false
	}
	s.log.Debug("control socket: closed an idle client for a newcomer", "watching", oldest.raise != nil)
	s.dropLocked(oldest)
	return true
}

// dropLocked closes c and forgets it at once: its room is free even before
// its goroutine has ended. s.mu must be held.
func (s *Server) dropLocked(c *client) {
	delete(s.conns, c)
	close(c.dropped)
	c.conn.Close()
	select {
	case s.freed <- struct{}{}:
	default:
	}
}

// dropIdle closes the idle clients: the server is stopping. When the
// resident is (stopping), watch streams are left to end on their own,
// with their last message, and soon: a write to a client that does not
// read is cut short.
func (s *Server) dropIdle(stopping bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if stopping && c.raise != nil {
			c.conn.SetWriteDeadline(time.Now().Add(farewellTimeout)) //nolint:errcheck // best effort
			continue
		}
		if c.idle {
			s.dropLocked(c)
		}
	}
}

// remove forgets c once it is served, unless it was dropped already.
func (s *Server) remove(c *client) {
	c.conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; ok {
		s.dropLocked(c)
	}
}

// busy marks c as being served, unless it was dropped while its request
// came in: then it reports false, and the request is not served.
func (s *Server) busy(c *client) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return false
	}
	c.idle = false
	return true
}

// Raise asks every watching window to come to the front. It reports whether
// any window was watching.
func (s *Server) Raise() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	watching := false
	for c := range s.conns {
		if c.raise == nil {
			continue
		}
		watching = true
		signal(c.raise)
	}
	return watching
}

// SetNoTray says why no tray icon can be shown ("" when one can), and
// tells every watching window when that changes: its banner and what
// closing it does follow the tray.
func (s *Server) SetNoTray(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason == s.noTray {
		return
	}
	s.noTray = reason
	for c := range s.conns {
		if c.tray != nil {
			signal(c.tray)
		}
	}
}

func (s *Server) trayState() *string {
	s.mu.Lock()
	defer s.mu.Unlock()
	reason := s.noTray
	return &reason
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // one pending signal is enough
	}
}

func (s *Server) serveConn(ctx context.Context, c *client) {
	conn := c.conn
	select {
	case <-s.ready:
	case <-ctx.Done():
		return
	case <-c.dropped:
		return
	}
	conn.SetReadDeadline(time.Now().Add(requestTimeout)) //nolint:errcheck // best effort
	line, err := bufio.NewReader(io.LimitReader(conn, maxRequest)).ReadBytes('\n')
	if err != nil {
		select {
		case <-c.dropped: // closed for a newcomer: nothing went wrong
		default:
			s.log.Warn("control socket: unreadable request", "err", err)
		}
		return
	}
	if !s.busy(c) {
		return
	}
	conn.SetReadDeadline(time.Time{}) //nolint:errcheck
	w := &deadlineWriter{conn: conn}
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		writeResponse(w, Response{Error: &Error{Code: "", Message: "malformed request"}})
		return
	}
	s.log.Debug("control request", "op", req.Op)
	enc := json.NewEncoder(w)
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
	case OpCancelLogin:
		s.handler.CancelLogin()
		st := StatusOf(s.handler.Snapshot())
		enc.Encode(Response{Status: &st}) //nolint:errcheck
	case OpLogout:
		err := s.handler.Logout(ctx)
		st := StatusOf(s.handler.Snapshot())
		enc.Encode(Response{Status: &st, Error: errorOf(err)}) //nolint:errcheck
	case OpBreak, OpUnbreak:
		// As a logout: the call goes on if the client hangs up, for the
		// session to follow what the server did.
		var err error
		if req.Op == OpUnbreak {
			err = s.handler.EndBreak(ctx)
		} else {
			var motive string // none given: the handler says it is missing
			if req.Break != nil {
				motive = req.Break.Motive
			}
			err = s.handler.StartBreak(ctx, motive)
		}
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
		s.watch(ctx, c, enc)
	default:
		enc.Encode(Response{Error: &Error{Message: "unknown operation " + req.Op}}) //nolint:errcheck
	}
}

// watch streams status changes and raise requests until the client hangs
// up, or is closed for a newcomer. With maxWatchers streams already, the
// oldest is closed.
func (s *Server) watch(ctx context.Context, c *client, enc *json.Encoder) {
	raise, tray := make(chan struct{}, 1), make(chan struct{}, 1)
	s.mu.Lock()
	if _, ok := s.conns[c]; !ok {
		s.mu.Unlock()
		return
	}
	watchers := 0
	for other := range s.conns {
		if other.raise != nil {
			watchers++
		}
	}
	if watchers >= maxWatchers {
		s.dropOldest(func(other *client) bool { return other.raise != nil })
	}
	c.raise, c.tray, c.idle = raise, tray, true
	s.mu.Unlock()
	// The tray as it is now comes with the first status; a change from now
	// on is signalled on tray.
	first := true

	updates, cancel := s.handler.Subscribe()
	defer cancel()
	// The client never writes again: a read returns when it hangs up.
	gone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, c.conn) //nolint:errcheck
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
			if first {
				resp.NoTray, first = s.trayState(), false
			}
		case <-raise:
			resp.Raise = true
		case <-tray:
			resp.NoTray = s.trayState()
		case <-gone:
			return
		case <-c.dropped:
			return
		case <-ctx.Done():
			// Said so that a window takes the stream's end for the quit
			// it is, not a resident gone wrong; briefly, for a client that
			// does not read must not hold up the quit.
			c.conn.SetWriteDeadline(time.Now().Add(farewellTimeout)) //nolint:errcheck // best effort
			json.NewEncoder(c.conn).Encode(Response{Quitting: true}) //nolint:errcheck // the client may be gone
			return
		}
		// A client that does not read fails here once the socket's
		// buffer is full and writeTimeout has passed: nothing piles up.
		if err := enc.Encode(resp); err != nil {
			return
		}
	}
}

// deadlineWriter gives each write to a client writeTimeout.
type deadlineWriter struct{ conn net.Conn }

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.conn.SetWriteDeadline(time.Now().Add(writeTimeout)) //nolint:errcheck // best effort
	return w.conn.Write(p)
}

func writeResponse(w io.Writer, r Response) {
	json.NewEncoder(w).Encode(r) //nolint:errcheck // the client may be gone
}

// ErrNoResident means no resident process listens on the socket.
var ErrNoResident = errors.New("the tray app is not running")

// ErrNotAnswering means the tray app runs (its socket is there) but did not
// answer a call in time, or hung up before answering.
var ErrNotAnswering = errors.New("the tray app did not answer")
