// Package fake is a uContact server for tests and the demo mode. It speaks
// the calls of package ucontact in every documented variant, can inject
// faults per call, and records every request so tests can check exactly what
// a client sent.
package fake

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ucontact-tray/session/ucontact"
)

// TokenStyle is how getUserToken answers.
type TokenStyle int

const (
	// TokenArray is the documented answer: a JSON array whose last string is
	// the token.
	TokenArray TokenStyle = iota
	// TokenString is what real clients see: a bare JSON string.
	TokenString
)

// FieldSource is where EndSession reads its user and token from.
type FieldSource int

const (
	FromEither FieldSource = iota // form body or query string
	FromBody
	FromQuery
)

// Variant selects the documented variations of the protocol.
type Variant struct {
	TokenStyle TokenStyle
	// NoGetUserToken answers 404 to getUserToken, as some instances do, so
	// clients must fall back to UserLogin.
	NoGetUserToken bool
	EndSessionFrom FieldSource
}

// Fault is what the server does instead of (or before) answering a call.
//
// A Status of 401 to an end or a break call first ends the session the call
// names: a real server answers 401 only to a dead token (expired, or ended
// elsewhere), and the fake's sessions must agree with its answers. A Status
// of 404 to the break calls is a server without breaks.
type Fault struct {
	Latency   time.Duration // wait before answering (a cancelled request stops waiting)
	Status    int           // answer this HTTP status with an empty body (401: see above)
	Body      string        // answer 200 with this body (e.g. "0" or malformed JSON)
	Drop      bool          // close the connection without answering
	Oversize  int           // answer 200 with this many bytes of JSON-looking junk
	Redirect  string        // answer 307 to this URL
	Times     int           // how many calls it applies to; 0 means every call
	AfterOpen bool          // do what the call asks, then apply the fault: for a login, the client never learns the token
}

// Request is one call as the server received it.
type Request struct {
	Path   string
	Header http.Header
	Form   url.Values // the form body
	Query  url.Values // the query string
	At     time.Time  // when it arrived
	// Answered is when the answer (or the fault) was written; zero while
	// the call is in progress.
	Answered time.Time
}

// Session is a session the server opened.
type Session struct {
	Kind      string // "user" or "agent"
	User      string
	Token     string
	Extension string
	// Ended counts the end calls that named this session with its token:
	// the one that ended it and any after it, which find it over and get
	// 401. One is right; more means a client ended it again.
	Ended int
	// Expired means the session was already over on the server when a call
	// named it (an injected 401). If that call was an end call it counts in
	// Ended; a break call does not, and an end call after it counts and gets
	// 401.
	Expired bool
	// Breaks counts the breaks the agent started in this session.
	Breaks int
}

// over reports whether the session has ended, by an end call or on the
// server's side.
func (ses *Session) over() bool { return ses.Ended > 0 || ses.Expired }

// FaultFunc chooses a fault for a call to path that has none queued; ok
// false answers it normally. See SetFaultFunc.
type FaultFunc func(path string) (f Fault, ok bool)

// Server is a fake uContact server. Its zero value is not usable; use New.
type Server struct {
	mu       sync.Mutex
	variant  Variant
	users    map[string]string // user -> password
	agents   map[string]agent
	faults   map[string][]Fault
	faultFn  FaultFunc
	requests []Request
	conns    int                 // connections opened
	sessions map[string]*Session // by token
	opened   []*Session
	nextExt  int
	motives  []string           // the tenant's break motives
	breaks   map[string]onBreak // by agent
	answered chan struct{}      // closed, and replaced, when a request is answered

	srv *http.Server
	url string
}

type agent struct {
	password  string
	extension string
}

// onBreak is an agent's break: its motive and when it began.
type onBreak struct {
	motive string
	since  time.Time
}

// New returns a server with no accounts, not yet listening. Its tenant's
// break motives are "Almuerzo", "Baño" and "Capacitación"; see
// SetBreakMotives.
func New(v Variant) *Server {
	return &Server{
		variant:  v,
		users:    map[string]string{},
		agents:   map[string]agent{},
		faults:   map[string][]Fault{},
		sessions: map[string]*Session{},
		nextExt:  1001,
		motives:  []string{"Almuerzo", "Baño", "Capacitación"},
		breaks:   map[string]onBreak{},
		answered: make(chan struct{}),
	}
}

// Await returns when cond is true: it is asked at once and after every
// request the server answers. It fails when ctx ends first.
func (s *Server) Await(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		answered := s.answered
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-answered:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AddUser adds an API user account.
func (s *Server) AddUser(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[user] = password
}

// AddAgent adds an agent account and returns its extension.
func (s *Server) AddAgent(name, password string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ext := fmt.Sprint(s.nextExt)
	s.nextExt++
	s.agents[name] = agent{password: password, extension: ext}
	return ext
}

// SetBreakMotives replaces the breaks configured in the tenant: AgentBreak
// with any other motive is refused.
func (s *Server) SetBreakMotives(motives ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.motives = slices.Clone(motives)
}

// BreakMotives returns the breaks configured in the tenant.
func (s *Server) BreakMotives() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.motives)
}

// Break reports the break agent is on: its motive and when it began. ok is
// false when the agent is not on a break.
func (s *Server) Break(agent string) (motive string, since time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.breaks[agent]
	return b.motive, b.since, ok
}

// SetVariant switches the protocol variant.
func (s *Server) SetVariant(v Variant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.variant = v
}

// Inject queues a fault for the call at path (one of the ucontact.Path…
// constants). Faults of one path apply in the order they were injected.
func (s *Server) Inject(path string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], f)
}

// SetFaultFunc makes f choose the faults of calls that have none queued by
// Inject, e.g. at random for a soak test; nil removes it. f is called with
// the server's lock held, one call at a time, in the order calls arrive: it
// needs no locking of its own and must not call the server's methods.
func (s *Server) SetFaultFunc(f FaultFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultFn = f
}

// ClearFaults removes every queued fault and the fault function.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
	s.faultFn = nil
}

// Requests returns every call received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the calls received at path.
func (s *Server) RequestsTo(path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Sessions returns a copy of every session opened so far, in order.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Session, len(s.opened))
	for i, ses := range s.opened {
		out[i] = *ses
	}
	return out
}

// OpenSessions returns the sessions not yet ended.
func (s *Server) OpenSessions() []Session {
	var out []Session
	for _, ses := range s.Sessions() {
		if !ses.over() {
			out = append(out, ses)
		}
	}
	return out
}

// Listen starts serving on addr ("127.0.0.1:0" picks a free port) and returns
// the base URL.
func (s *Server) Listen(addr string) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fake server: %w", err)
	}
	s.serve(l, "http://"+l.Addr().String(), nil)
	return s.url, nil
}

// ListenTLS is Listen over TLS with cert, as an on-premise server with a
// certificate of its own; the base URL is https://.
func (s *Server) ListenTLS(addr string, cert tls.Certificate) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fake server: %w", err)
	}
	s.serve(l, "https://"+l.Addr().String(), &tls.Config{Certificates: []tls.Certificate{cert}})
	return s.url, nil
}

// serve serves on l, whose clients reach it at baseURL, over TLS when
// tlsConfig is not nil.
func (s *Server) serve(l net.Listener, baseURL string, tlsConfig *tls.Config) {
	s.url = baseURL
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.countConn}
	if tlsConfig == nil {
		go s.srv.Serve(l) //nolint:errcheck // returns ErrServerClosed on Close
		return
	}
	s.srv.TLSConfig = tlsConfig
	// Refused handshakes are what the TLS tests are about, not noise to print.
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.ServeTLS(l, "", "") //nolint:errcheck // returns ErrServerClosed on Close
}

func (s *Server) countConn(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
	}
}

// Connections is how many connections clients have opened so far: a client
// that reuses its connection opens no new one.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// URL is the base URL clients use.
func (s *Server) URL() string { return s.url }

// Close stops the server and drops its connections.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// ServeHTTP answers one call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	form, _ := url.ParseQuery(string(body))
	if form == nil {
		form = url.Values{}
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Path: r.URL.Path, Header: r.Header.Clone(), Form: form, Query: r.URL.Query(), At: time.Now(),
	})
	n := len(s.requests) - 1
	fault, hasFault := s.takeFault(r.URL.Path)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.requests[n].Answered = time.Now()
		close(s.answered)
		s.answered = make(chan struct{})
		s.mu.Unlock()
	}()

	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if hasFault && !fault.AfterOpen {
		if s.applyFault(w, r, form, fault) {
			return
		}
	}
	status, answer := s.answer(r.URL.Path, form, r.URL.Query(), r.Header.Get("Authorization"))
	if hasFault && fault.AfterOpen && s.applyFault(w, r, form, fault) {
		return
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, answer) //nolint:errcheck // the client may be gone
}

// takeFault pops the next fault for path, or asks the fault function.
// s.mu must be held.
func (s *Server) takeFault(path string) (Fault, bool) {
	queue := s.faults[path]
	if len(queue) == 0 {
		if s.faultFn == nil {
			return Fault{}, false
		}
		return s.faultFn(path)
	}
	f := queue[0]
	switch {
	case f.Times == 1:
		s.faults[path] = queue[1:]
	case f.Times > 1:
		queue[0].Times--
	}
	return f, true
}

// applyFault acts out f and reports whether it answered the request, whose
// body was form.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, form url.Values, f Fault) bool {
	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			return true
		}
	}
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream
	case f.Status != 0:
		if f.Status == http.StatusUnauthorized {
			s.expire(r.URL.Path, form, r.URL.Query(), r.Header.Get("Authorization"))
		}
		w.WriteHeader(f.Status)
		return true
	case f.Body != "":
		io.WriteString(w, f.Body) //nolint:errcheck
		return true
	case f.Oversize > 0:
		w.Header().Set("Content-Type", "application/json")
		junk := []byte("[\"" + strings.Repeat("x", 1024) + "\",")
		for written := 0; written < f.Oversize; written += len(junk) {
			if _, err := w.Write(junk); err != nil {
				break
			}
		}
		return true
	case f.Redirect != "":
		http.Redirect(w, r, f.Redirect, http.StatusTemporaryRedirect)
		return true
	}
	return false
}

// answer is what a healthy server says.
func (s *Server) answer(path string, form, query url.Values, auth string) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch path {
	case ucontact.PathGetUserToken:
		if s.variant.NoGetUserToken {
			return http.StatusNotFound, ""
		}
		tok, ok := s.openUser(form.Get("user"), form.Get("password"))
		if !ok {
			return http.StatusOK, "0"
		}
		if s.variant.TokenStyle == TokenString {
			return http.StatusOK, mustJSON(tok)
		}
		return http.StatusOK, mustJSON([]any{"OK", form.Get("user"), tok})
	case ucontact.PathUserLogin:
		tok, ok := s.openUser(form.Get("user"), form.Get("password"))
		if !ok {
			return http.StatusOK, "0"
		}
		return http.StatusOK, mustJSON([]any{map[string]any{"status": "ok"}, map[string]any{"user": form.Get("user")}, tok})
	case ucontact.PathEndSession:
		ses := s.endTarget(path, form, query, auth)
		if ses == nil || !ses.end() {
			return http.StatusUnauthorized, ""
		}
		return http.StatusOK, "1"
	case ucontact.PathAgentLogin:
		name := form.Get("agent")
		a, ok := s.agents[name]
		if !ok || a.password != form.Get("password") {
			return http.StatusOK, "0"
		}
		tok := s.newSession("agent", name, a.extension)
		return http.StatusOK, mustJSON(map[string]any{
			"name": name, "callerid": a.extension, "md5secret": tok,
			"secret": "sip-" + name + "-" + a.password, "context": "from-internal", "type": "friend",
		})
	case ucontact.PathAgentLogoff:
		ses := s.endTarget(path, form, query, auth)
		if ses == nil {
			return http.StatusUnauthorized, ""
		}
		if !ses.over() && !namesAgent(ses, form) {
			return http.StatusOK, "0"
		}
		if !ses.end() {
			return http.StatusUnauthorized, ""
		}
		delete(s.breaks, ses.User)
		return http.StatusOK, ""
	case ucontact.PathAgentBreak, ucontact.PathAgentUnBreak:
		return s.answerBreak(path, form, query, auth)
	}
	return http.StatusNotFound, ""
}

// answerBreak starts or ends a break of a logged-in agent. Stricter than a
// real server may be, it refuses (with "0") what a client has no reason to
// send: a motive not configured in the tenant, the end of a break the agent
// is not on or of another break than theirs, a time that is not whole
// seconds. A break started while on another replaces it. s.mu must be held.
func (s *Server) answerBreak(path string, form, query url.Values, auth string) (int, string) {
	ses := s.endTarget(path, form, query, auth)
	if ses == nil || ses.over() {
		return http.StatusUnauthorized, ""
	}
	motive := form.Get("motive")
	if !namesAgent(ses, form) || !slices.Contains(s.motives, motive) {
		return http.StatusOK, "0"
	}
	if path == ucontact.PathAgentBreak {
		s.breaks[ses.User] = onBreak{motive: motive, since: time.Now()}
		ses.Breaks++
		return http.StatusOK, ""
	}
	b, ok := s.breaks[ses.User]
	if !ok || b.motive != motive {
		return http.StatusOK, "0"
	}
	if t := form.Get("time"); t != "" {
		if _, err := strconv.ParseUint(t, 10, 63); err != nil {
			return http.StatusOK, "0"
		}
	}
	delete(s.breaks, ses.User)
	return http.StatusOK, ""
}

// namesAgent reports whether a call's form names the agent of ses and their
// interface.
func namesAgent(ses *Session, form url.Values) bool {
	return form.Get("agent") == ses.User && form.Get("interface") == "SIP/"+ses.Extension
}

// endTarget is the session an end or a break call at path names with its
// token, or nil (unknown token, another kind or user, another call). s.mu
// must be held.
func (s *Server) endTarget(path string, form, query url.Values, auth string) *Session {
	tok, ok := strings.CutPrefix(auth, "Basic ")
	ses := s.sessions[tok]
	if !ok || ses == nil {
		return nil
	}
	switch path {
	case ucontact.PathEndSession:
		user, fieldTok := s.endSessionFields(form, query)
		if ses.Kind == "user" && ses.User == user && fieldTok == tok {
			return ses
		}
	case ucontact.PathAgentLogoff, ucontact.PathAgentBreak, ucontact.PathAgentUnBreak:
		if ses.Kind == "agent" {
			return ses
		}
	}
	return nil
}

// end counts an end call of ses and reports whether it ended the session,
// rather than finding it over. s.mu must be held.
func (ses *Session) end() bool {
	was := ses.over()
	ses.Ended++
	return !was
}

// expire ends on the server's side the session an end or a break call
// names, as when it times out; the call gets 401. An end call counts as the
// session's end, a break call does not.
func (s *Server) expire(path string, form, query url.Values, auth string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ses := s.endTarget(path, form, query, auth)
	if ses == nil {
		return
	}
	var ended bool
	if path == ucontact.PathAgentBreak || path == ucontact.PathAgentUnBreak {
		ended = !ses.over()
	} else {
		ended = ses.end()
	}
	if !ended {
		return
	}
	ses.Expired = true
	if ses.Kind == "agent" {
		delete(s.breaks, ses.User)
	}
}

func (s *Server) endSessionFields(form, query url.Values) (user, token string) {
	switch s.variant.EndSessionFrom {
	case FromBody:
		return form.Get("user"), form.Get("token")
	case FromQuery:
		return query.Get("user"), query.Get("token")
	}
	if form.Has("token") {
		return form.Get("user"), form.Get("token")
	}
	return query.Get("user"), query.Get("token")
}

// openUser checks a user's password and opens a session. s.mu must be held.
func (s *Server) openUser(user, password string) (string, bool) {
	want, ok := s.users[user]
	if !ok || want != password {
		return "", false
	}
	return s.newSession("user", user, ""), true
}

// newSession issues a token, base64("<user>:<uuid>"). s.mu must be held.
func (s *Server) newSession(kind, user, ext string) string {
	var id [16]byte
	rand.Read(id[:]) //nolint:errcheck // never fails
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	uuid := fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])
	tok := base64.StdEncoding.EncodeToString([]byte(user + ":" + uuid))
	ses := &Session{Kind: kind, User: user, Token: tok, Extension: ext}
	s.sessions[tok] = ses
	s.opened = append(s.opened, ses)
	return tok
}

// Tokens returns every token issued, for tests that check nothing secret
// leaked.
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.sessions))
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with plain values
	}
	return string(b)
}

// Demo credentials: one account that works as a user and as an agent.
const (
	DemoUser     = "demo"
	DemoPassword = "demo1234"
)

// NewDemo returns a server with the demo account, as the demo mode runs it.
func NewDemo() *Server {
	s := New(Variant{})
	s.AddUser(DemoUser, DemoPassword)
	s.AddAgent(DemoUser, DemoPassword)
	return s
}
