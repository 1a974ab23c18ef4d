// Package session holds the agent's uContact session: it opens it, keeps what
// is needed to end it (the record on disk, the token in the secret store),
// ends it on request, and never forgets a logout that could not be completed.
// It imports no UI; the UI learns of changes through published snapshots.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"ucontact-tray/internal/atomicfile"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// Kind is the kind of session (see ucontact.Kind).
type Kind = ucontact.Kind

// The kinds of session.
const (
	KindUser  = ucontact.KindUser
	KindAgent = ucontact.KindAgent
)

// Errors the manager returns besides those of ucontact and secrets.
var (
	ErrEmptyUser       = errors.New("user name is empty")
	ErrEmptyPassword   = errors.New("password is empty")
	ErrInvalidKind     = ucontact.ErrInvalidKind
	ErrAlreadyLoggedIn = errors.New("a session is already open")
	ErrNotLoggedIn     = errors.New("no session is open")
	ErrLogoutPending   = errors.New("the previous session's logout is still pending")
	ErrBusy            = errors.New("a logout is in progress")
	ErrTokenLost       = errors.New("the session token is lost; the session cannot be ended from here")
	ErrClosed          = errors.New("session manager closed")
	// ErrLoginInterrupted is the session of a login that died (a crash,
	// a kill) after the server opened it and before anyone was told: the
	// next start ends it.
	ErrLoginInterrupted = errors.New("a login was interrupted after the server opened the session")
	// ErrStoringSession means the session was opened but could not be made
	// safe (record or token not stored), so it was ended again.
	ErrStoringSession = errors.New("could not keep the session safe; it was closed again")
	// ErrLoginCancelled is a login the user gave up (CancelLogin): if the
	// server opens the session anyway, it is ended at once.
	ErrLoginCancelled = errors.New("login cancelled")
)

// Warnings: problems that did not stop an operation, found in Snapshot.Warning.
var (
	ErrTokenInFile      = errors.New("no keyring: the session token is kept in a file")
	ErrPasswordNotSaved = errors.New("password not remembered")
	ErrTokenNotDeleted  = errors.New("session ended, but its token could not be deleted")
	ErrRecordNotRemoved = errors.New("session ended, but its record could not be removed")
	ErrTokenUnreadable  = errors.New("the session token could not be read")
)

// DamagedRecordError is a session record that could not be read. It is set
// aside so that it does not block the next login, and kept for support.
type DamagedRecordError struct {
	SetAside string // where the damaged file now is
	Err      error
}

func (e *DamagedRecordError) Error() string {
	return fmt.Sprintf("%v; set aside as %s", e.Err, e.SetAside)
}

func (e *DamagedRecordError) Unwrap() error { return e.Err }

// defaultCallDeadline bounds a logout whose context has no deadline.
const defaultCallDeadline = 15 * time.Second

// Backoff is how pending logouts are retried: after Initial, doubling up to
// Max. A zero Initial disables automatic retries (one-shot commands).
type Backoff struct {
	Initial, Max time.Duration
}

// DefaultBackoff suits the resident app: quick first retries for a network
// blip, then every five minutes for as long as it takes.
var DefaultBackoff = Backoff{Initial: 5 * time.Second, Max: 5 * time.Minute}

// Config sets a manager up.
type Config struct {
	// Dir holds the session record (and the fallback token file).
	Dir string
	// Secrets stores tokens and passwords.
	Secrets *secrets.Store
	// Client makes the uContact client for a server.
	Client func(server *url.URL) *ucontact.Client
	// Holder is the kind of process this manager runs in.
	Holder Holder
	// Retry is the backoff of pending logouts.
	Retry Backoff
	// LogoffMessage is written to the queue log when an agent logs off.
	LogoffMessage string
	// Log, if set, gets a line per change of state, and the session found
	// at Open.
	Log *slog.Logger
	// KeyringLabel, if set, names a session's secrets where the keyring
	// shows them to people (see secrets.LabeledBackend), in their
	// language: password says whether it is the remembered password or
	// what ends the session. The secrets are found by their keys alone.
	KeyringLabel func(password bool, user, server string, kind Kind) string
}

// Manager is the session state machine. All methods are safe for concurrent
// use; network and keyring calls run without holding its lock.
type Manager struct {
	cfg Config

	mu      sync.Mutex
	snap    Snapshot
	logged  State   // the state last logged
	rec     *record // nil when logged out
	token   ucontact.Token
	key     string // where the secret store keeps token
	client  *ucontact.Client
	flight  *flight // the login, logout or break call under way
	subs    map[chan Snapshot]struct{}
	retry   *time.Timer
	closed  bool
	retryWG sync.WaitGroup
}

type flight struct {
	op   operation
	done chan struct{}
	err  error
	// cancel, in a break call, gives it up: a logout does not wait for one.
	cancel context.CancelFunc
	// ended is closed, in a logout, once the server has confirmed the end
	// and the record is gone: before the keyring has forgotten the token.
	ended chan struct{}
	// abandoned is closed, in a login, when the user gives it up (see
	// CancelLogin); m.mu is held to close it.
	abandoned chan struct{}
	// committed is set, in a login, once it is reported as open: too late
	// to give up. Under m.mu.
	committed bool
	// opened says the server opened the login's session; only its work
	// touches it.
	opened bool
}

// Open loads the session left open by an earlier run, if any: from its
// record and the secret store, from the journal of a login that died
// before storing it, or from the secret store alone when the record is
// damaged. It makes no network call: see Recover.
func Open(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.Dir == "" || cfg.Secrets == nil || cfg.Client == nil {
		return nil, errors.New("session: Config needs Dir, Secrets and Client")
	}
	if cfg.Holder == "" {
		cfg.Holder = HolderCommand
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{cfg: cfg, subs: map[chan Snapshot]struct{}{}}
	m.snap.State = LoggedOut
	if err := atomicfile.RemoveTemp(cfg.Dir); err != nil {
		cfg.Log.Warn("leftover temporary files", "err", err)
	}
	rec, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return m, nil
	}
	server, _ := ucontact.ParseServer(rec.Server) // checked when read
	m.rec = rec
	m.client = cfg.Client(server)
	m.snap = m.snapshotOf(rec, m.snap)
	m.logged = m.snap.State
	cfg.Log.Info("session found", "state", m.snap.State.String(), "user", rec.User, "server", rec.Server,
		"kind", string(rec.Kind), "since", rec.Since, "holder", string(rec.Holder))
	return m, nil
}

// load finds the session an earlier run left, and its token. It sets m's
// token, key and notes, and returns the session's record (nil for none).
func (m *Manager) load(ctx context.Context) (*record, error) {
	dir := m.cfg.Dir
	dead, err := takeJournal(dir)
	if err != nil {
		return nil, err
	}
	if dead != nil {
		return m.adoptJournal(ctx, dead), nil
	}
	rec, err := loadRecord(dir)
	if errors.Is(err, errCorruptRecord) {
		return m.recoverDamaged(ctx, err)
	}
	if err != nil || rec == nil {
		return nil, err
	}
	tok, key, loc, err := m.loadToken(ctx, rec)
	switch {
	case err == nil:
		m.token, m.key, m.snap.TokenFile = tok, key, loc.File
	case errors.Is(err, secrets.ErrNotFound):
		m.snap.Warning = ErrTokenLost
	default:
		// The keyring may come back (it may just be locked): Logout tries again.
		m.snap.Warning = fmt.Errorf("%w: %w", ErrTokenUnreadable, err)
	}
	return rec, nil
}

// adoptJournal takes over the session of a login that died after the
// server opened it: nobody was told of it, so it is to be ended, as a
// pending logout. It is stored as a finished login's would be, and the
// journal goes once both hold it.
func (m *Manager) adoptJournal(ctx context.Context, dead *deadJournal) *record {
	e := dead.ending
	rec := e.pending(ErrLoginInterrupted)
	m.token, m.key = ucontact.Token(e.Token), sessionKey(m.cfg.Dir)
	m.snap.LastError = ErrLoginInterrupted
	loc, err := m.cfg.Secrets.SaveToken(ctx, m.key, m.keyringLabel(false, rec), e.marshal())
	err = errors.Join(err, saveRecord(m.cfg.Dir, rec))
	if err != nil {
		// The journal is all there is of this session: it stays for the
		// next start, and this one ends the session from memory.
		m.snap.Warning = fmt.Errorf("%w: %w", ErrStoringSession, err)
		dead.leave()
		return rec
	}
	m.snap.TokenFile = loc.File
	m.discardJournal(&dead.journal)
	return rec
}

// recoverDamaged deals with a record that cannot be read: the session it
// was about, if the secret store has it, is to be ended, as a pending
// logout; the damaged file is kept aside for support either way.
func (m *Manager) recoverDamaged(ctx context.Context, damage error) (*record, error) {
	dir := m.cfg.Dir
	aside := recordPath(dir) + ".damaged"
	key := sessionKey(dir)
	saved, loc, err := m.cfg.Secrets.LoadToken(ctx, key)
	var e ending
	if err == nil {
		e, err = parseEnding(saved)
	}
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		// The secret store may know the session and cannot say now: the
		// record stays where it is, for the next start to try again.
		m.snap.Warning = errors.Join(&DamagedRecordError{Err: damage}, fmt.Errorf("%w: %w", ErrTokenUnreadable, err))
		return nil, nil
	}
	if rerr := os.Rename(recordPath(dir), aside); rerr != nil {
		return nil, errors.Join(damage, rerr)
	}
	m.snap.Warning = &DamagedRecordError{SetAside: aside, Err: damage}
	if err != nil {
		return nil, nil // no session to end
	}
	rec := e.pending(damage)
	if serr := saveRecord(dir, rec); serr != nil {
		m.snap.Warning = errors.Join(m.snap.Warning, serr)
	}
	m.token, m.key, m.snap.TokenFile = ucontact.Token(e.Token), key, loc.File
	return rec, nil
}

// loadToken reads the token of rec's session from the secret store, and
// says under which key it was.
func (m *Manager) loadToken(ctx context.Context, rec *record) (ucontact.Token, string, secrets.Location, error) {
	key := sessionKey(m.cfg.Dir)
	saved, loc, err := m.cfg.Secrets.LoadToken(ctx, key)
	if err == nil {
		e, perr := parseEnding(saved)
		if perr != nil || !e.sameSession(rec) {
			// Another session's, which the record outlived: it ends nothing
			// of this one.
			return "", "", secrets.Location{}, secrets.ErrNotFound
		}
		return ucontact.Token(e.Token), key, loc, nil
	}
	if !errors.Is(err, secrets.ErrNotFound) {
		return "", "", secrets.Location{}, err
	}
	key = legacyTokenKey(rec)
	tok, loc, err := m.cfg.Secrets.LoadToken(ctx, key)
	return ucontact.Token(tok), key, loc, err
}

// Recover deals with a session found at start. One left by a resident that
// died, or whose logout is pending, is ended now; one opened by a command is
// adopted. It reports whether a session was ended.
func (m *Manager) Recover(ctx context.Context) (ended bool, err error) {
	m.mu.Lock()
	rec := m.rec
	if rec == nil || m.flight != nil {
		m.mu.Unlock()
		return false, nil
	}
	leftover := rec.PendingSince != nil || (rec.Holder == HolderResident && m.cfg.Holder == HolderResident)
	if !leftover {
		if rec.Holder != m.cfg.Holder && m.cfg.Holder == HolderResident {
			adopted := *rec
			adopted.Holder = HolderResident
			m.rec = &adopted
			m.mu.Unlock()
			return false, saveRecord(m.cfg.Dir, &adopted)
		}
		m.mu.Unlock()
		return false, nil
	}
	m.mu.Unlock()
	if err := m.Logout(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// LoginRequest is what the user typed to open a session.
type LoginRequest struct {
	Server   string // an instance name or an https:// address
	User     string
	Password string
	Kind     Kind
	Remember bool // keep the password in the keyring
	// UseSavedPassword logs in with the password remembered for this
	// server, user and kind, instead of Password.
	UseSavedPassword bool
}

// Login opens a session. Before it returns nil the record is on disk and the
// token in the secret store, so a crash right after still lets the session be
// ended. A second call while one is under way gets the first one's result;
// one while a cancelled login winds down waits for it (see CancelLogin).
func (m *Manager) Login(ctx context.Context, req LoginRequest) error {
	server, err := validate(&req)
	if err != nil {
		return err
	}
	for {
		m.mu.Lock()
		if err := m.usable(); err != nil {
			m.mu.Unlock()
			return err
		}
		f := m.flight
		if f == nil {
			break
		}
		m.mu.Unlock()
		if f.op != opLogin {
			return ErrBusy
		}
		if !f.isAbandoned() {
			return f.waitLogin(ctx)
		}
		// The user gave that one up: this is a new try, once the old one
		// has ended what it may have opened.
		if err := f.wait(ctx); ctx.Err() != nil {
			return err
		}
	}
	switch m.snap.State {
	case LoggedIn:
		m.mu.Unlock()
		return ErrAlreadyLoggedIn
	case LogoutPending:
		m.mu.Unlock()
		return ErrLogoutPending
	}
	f := m.begin(opLogin)
	m.snap = Snapshot{State: LoggingIn, Server: server.String(), User: req.User, Kind: req.Kind}
	logChange := m.publish()
	m.mu.Unlock()
	logChange()

	// The work runs on, on its own, if the user gives the login up: the
	// request is left to end within its own time, for whether the server
	// opened a session is unknown until its answer is read.
	work, stop := loginContext(ctx, f.abandoned)
	go func() {
		defer stop()
		err := m.login(work, f, server, req)
		if f.isAbandoned() {
			m.logAbandoned(f, &req, err)
		}
		m.finish(f, err)
	}()
	return f.waitLogin(context.WithoutCancel(ctx)) // the caller's end stops the work, and so the wait
}

// CancelLogin gives up the login under way: whoever waits for it gets
// ErrLoginCancelled at once, and the state is LoggedOut again. Its request
// goes on to its end, out of sight: a session the server opens is ended at
// once, stored nowhere, and never reported as open (if it cannot be ended,
// it becomes a pending logout, as any other). A login asked for meanwhile
// waits for that end. It reports whether there was a login to give up.
func (m *Manager) CancelLogin() bool {
	m.mu.Lock()
	f := m.flight
	if f == nil || f.op != opLogin || f.committed || f.isAbandoned() {
		m.mu.Unlock()
		return false
	}
	close(f.abandoned)
	was := m.snap
	m.snap = Snapshot{State: LoggedOut, LastError: ErrLoginCancelled}
	logChange := m.publish()
	m.mu.Unlock()
	logChange()
	m.cfg.Log.Info("login cancelled; its request runs to its end, and a session it opens is ended",
		"user", was.User, "server", was.Server, "kind", string(was.Kind))
	return true
}

// loginContext is the context of a login's work: ctx's values and
// deadline, and its cancellation (Ctrl+C) unless the login was abandoned
// first, when the caller's return must not cut the request short.
func loginContext(ctx context.Context, abandoned <-chan struct{}) (context.Context, context.CancelFunc) {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if d, ok := ctx.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		work, cancelDeadline = context.WithDeadline(work, d)
		cancelFirst := cancel
		cancel = func() { cancelDeadline(); cancelFirst() }
	}
	stop := context.AfterFunc(ctx, func() {
		select {
		case <-abandoned:
		default:
			if errors.Is(ctx.Err(), context.Canceled) {
				cancel() // a deadline passes in work on its own, as itself
			}
		}
	})
	return work, func() { stop(); cancel() }
}

// logAbandoned says how a login the user gave up ended: for support, the
// only trace of a session opened and ended out of the user's sight.
func (m *Manager) logAbandoned(f *flight, req *LoginRequest, err error) {
	attrs := []any{"user", req.User, "kind", string(req.Kind)}
	switch {
	case errors.Is(err, ErrLoginCancelled) && f.opened:
		m.cfg.Log.Info("cancelled login: the server opened the session anyway; it was ended", attrs...)
	case errors.Is(err, ErrLoginCancelled):
		m.cfg.Log.Info("cancelled login: the server opened no session", attrs...)
	case f.opened:
		m.cfg.Log.Warn("cancelled login: the server opened the session anyway, and it could not be ended yet", append(attrs, "err", err)...)
	default:
		m.cfg.Log.Info("cancelled login: the server opened no session", append(attrs, "err", err)...)
	}
}

// login runs a login's network and storage work, without the lock.
func (m *Manager) login(ctx context.Context, f *flight, server *url.URL, req LoginRequest) error {
	client := m.cfg.Client(server)
	rec := &record{Server: server.String(), User: req.User, Kind: req.Kind, Holder: m.cfg.Holder}
	if req.UseSavedPassword {
		pw, err := m.cfg.Secrets.LoadPassword(ctx, passwordKey(rec))
		if errors.Is(err, secrets.ErrNotFound) {
			err = ErrEmptyPassword
		}
		if err != nil {
			return m.loginFailed(f, client, err)
		}
		req.Password = pw
	}
	if !req.Remember {
		// The user no longer wants the password remembered. Forgetting it
		// is no part of the session: done while the server answers.
		forgotten, key, keep := make(chan struct{}), passwordKey(rec), context.WithoutCancel(ctx)
		go func() {
			defer close(forgotten)
			m.cfg.Secrets.Delete(keep, key) //nolint:errcheck // nothing to undo if it fails
		}()
		defer func() { <-forgotten }()
	}
	// The journal keeps the session from the instant its answer is read
	// until the record and the secret store hold it: a crash at any point
	// after that answer leaves it endable by the next start. It is made
	// before the request, so that the answer costs it one write.
	jour, err := openJournal(m.cfg.Dir)
	if err != nil {
		m.cfg.Log.Warn("login journal", "err", err)
	}
	opened := func(token ucontact.Token, extension string) {
		rec.Since, rec.Extension = time.Now(), extension
		if err := jour.write(endingOf(rec, token)); err != nil {
			m.cfg.Log.Warn("login journal", "err", err)
		}
	}
	open := func() (ucontact.Token, error) {
		if req.Kind == KindAgent {
			s, err := client.OpenAgentSession(ctx, req.User, req.Password, opened)
			return s.Token, err
		}
		s, err := client.OpenUserSession(ctx, req.User, req.Password, opened)
		return s.Token, err
	}
	token, err := open()
	if err != nil {
		m.discardJournal(jour)
		return m.loginFailed(f, client, err)
	}
	f.opened = true
	if f.isAbandoned() {
		// Nobody waits for this session: it is ended, and nothing of it
		// kept, but the journal until it is.
		endCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := endSession(endCtx, client, rec, token, m.cfg.LogoffMessage)
		cancel()
		if err == nil || errors.Is(err, ucontact.ErrSessionOver) {
			m.discardJournal(jour)
			return m.loginFailed(f, client, ErrLoginCancelled)
		}
		// Still open: kept as any session is, and its logout left
		// pending, below.
		m.cfg.Log.Warn("cancelled login: ending the session the server opened anyway", "err", err)
	}

	// The session is open on the server now: store it even if the caller
	// gives up (Ctrl+C), or it could not be ended after a crash.
	// The secret store and the record are written at once: the login is
	// reported only when both are safe, and neither waits for the other's
	// disk.
	ctx = context.WithoutCancel(ctx)
	key := sessionKey(m.cfg.Dir)
	recordSaved := make(chan error, 1)
	go func() { recordSaved <- saveRecord(m.cfg.Dir, rec) }()
	loc, err := m.cfg.Secrets.SaveToken(ctx, key, m.keyringLabel(false, rec), endingOf(rec, token).marshal())
	err = errors.Join(err, <-recordSaved)
	if err != nil {
		// Without the record and the token the session could not be ended
		// after a crash: close it now rather than leave it open unguarded.
		endCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		endErr := endSession(endCtx, client, rec, token, m.cfg.LogoffMessage)
		m.cfg.Secrets.Delete(endCtx, key) //nolint:errcheck // best effort: nothing else to do with it
		removeRecord(m.cfg.Dir)           //nolint:errcheck // a record without its token ends nothing
		if endErr != nil {
			// Still open, and the journal is all that knows it: left for
			// the next start to end.
			jour.leave()
		} else {
			m.discardJournal(jour)
		}
		return m.loginFailed(f, client, errors.Join(fmt.Errorf("%w: %w", ErrStoringSession, err), endErr))
	}
	m.discardJournal(jour)

	var warning error
	if loc.File != "" {
		warning = fmt.Errorf("%w (%s): %w", ErrTokenInFile, loc.File, loc.Why)
	}
	if req.Remember && !req.UseSavedPassword {
		if err := m.cfg.Secrets.SavePassword(ctx, passwordKey(rec), m.keyringLabel(true, rec), req.Password); err != nil {
			warning = errors.Join(warning, fmt.Errorf("%w: %w", ErrPasswordNotSaved, err))
		}
	}

	m.mu.Lock()
	m.rec, m.token, m.key, m.client = rec, token, key, client
	if f.isAbandoned() {
		// Given up while it was being stored, or it could not be ended
		// above: it is never reported as open, and ends now, as a logout.
		m.mu.Unlock()
		if err := m.logout(ctx, rec, token, client, nil); err != nil {
			return err
		}
		return ErrLoginCancelled
	}
	f.committed = true // too late to give up: the user is told it is open
	m.snap = m.snapshotOf(rec, Snapshot{TokenFile: loc.File, Warning: warning})
	m.mu.Unlock()
	return nil
}

func (m *Manager) discardJournal(j *journal) {
	if err := j.discard(); err != nil {
		m.cfg.Log.Warn("login journal", "err", err)
	}
}

// loginFailed says why a login failed, unless the user gave it up: the
// state then stays as CancelLogin left it, and the outcome is logged only.
func (m *Manager) loginFailed(f *flight, client *ucontact.Client, err error) error {
	client.CloseIdleConnections()
	m.mu.Lock()
	if !f.isAbandoned() {
		m.snap = Snapshot{State: LoggedOut, LastError: err}
	}
	m.mu.Unlock()
	return err
}

// HasSavedPassword reports whether a password is remembered for this
// server (as typed), user and kind.
func (m *Manager) HasSavedPassword(ctx context.Context, server, user string, kind Kind) bool {
	u, err := ucontact.ParseServer(server)
	if err != nil {
		return false
	}
	_, err = m.cfg.Secrets.LoadPassword(ctx, passwordKey(&record{Server: u.String(), User: strings.TrimSpace(user), Kind: kind}))
	return err == nil
}

// CheckKeyring reports why passwords cannot be remembered now (the
// keyring does not answer, or is missing), or nil if they can: for a UI to
// say so before the user asks.
func (m *Manager) CheckKeyring(ctx context.Context) error { return m.cfg.Secrets.Probe(ctx) }

// Logout ends the session. Concurrent and repeated calls are safe: one
// request reaches the server and every caller gets its result; a logout
// during a login waits for the login and then ends what it opened.
//
// On success, or when the server says the session was already over, the
// record and the token are removed. On any other failure they are kept, the
// state becomes LogoutPending, and the logout is retried with backoff.
func (m *Manager) Logout(ctx context.Context) error { return m.LogoutThen(ctx, nil) }

// LogoutThen is Logout, and calls ended (if not nil) as soon as the server
// has confirmed the end and the record is gone, before the keyring forgets
// the token. An OS that waits for the app before it shuts down need not
// wait for the keyring, which is slow just then (5 to 10 ms on a desktop
// that is closing) and no part of ending the session.
func (m *Manager) LogoutThen(ctx context.Context, ended func()) error {
	for {
		m.mu.Lock()
		if err := m.usable(); err != nil {
			m.mu.Unlock()
			return err
		}
		f := m.flight
		if f == nil {
			break
		}
		m.mu.Unlock()
		switch f.op {
		case opLogout:
			return f.waitEnded(ctx, ended)
		case opBreak:
			// The session's end ends its break too: a logout (at shutdown,
			// at suspend) is never held up by a server slow to answer one.
			f.cancel()
		}
		f.wait(ctx) //nolint:errcheck // the login's or break's outcome is not the logout's
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if m.rec == nil {
		m.mu.Unlock()
		return ErrNotLoggedIn
	}
	f := m.begin(opLogout)
	if m.retry != nil {
		m.retry.Stop()
		m.retry = nil
	}
	rec, token, client := *m.rec, m.token, m.client
	m.snap.State = LoggingOut
	logChange := m.publish()
	m.mu.Unlock()
	logChange()

	err := m.logout(ctx, &rec, token, client, func() {
		close(f.ended)
		if ended != nil {
			ended()
		}
	})
	m.finish(f, err)
	return err
}

// logout ends the session of rec, and calls ended once the server has
// confirmed it and the record is gone.
func (m *Manager) logout(ctx context.Context, rec *record, token ucontact.Token, client *ucontact.Client, ended func()) error {
	token, err := m.sessionToken(ctx, rec, token)
	switch {
	case errors.Is(err, ErrTokenLost):
		// Nothing can ever end this session from here: say so once and
		// stop guarding it, rather than retry forever.
		removeRecord(m.cfg.Dir) //nolint:errcheck // reported by the next Open if it stays
		m.setLoggedOut(nil, ErrTokenLost)
		return ErrTokenLost
	case err != nil:
		return m.logoutFailed(rec, err)
	}
	deadline, cancel := withDefaultDeadline(ctx)
	defer cancel()
	err = endSession(deadline, client, rec, token, m.cfg.LogoffMessage)
	if err != nil && !errors.Is(err, ucontact.ErrSessionOver) {
		return m.logoutFailed(rec, err)
	}
	m.forget(ctx, nil, ended)
	return nil
}

// sessionToken is the token of rec's session: token, the one the manager
// holds, or if it holds none (the keyring did not answer at start), the
// secret store's, read again now. ErrTokenLost means the store has none.
func (m *Manager) sessionToken(ctx context.Context, rec *record, token ucontact.Token) (ucontact.Token, error) {
	if token != "" {
		return token, nil
	}
	tok, key, loc, err := m.loadToken(ctx, rec)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return "", ErrTokenLost
	case err != nil:
		return "", fmt.Errorf("reading the session token: %w", err)
	}
	m.mu.Lock()
	m.token, m.key, m.snap.TokenFile = tok, key, loc.File
	if errors.Is(m.snap.Warning, ErrTokenUnreadable) {
		m.snap.Warning = nil // it was read after all
	}
	m.mu.Unlock()
	return tok, nil
}

// forget lets go of a session that is over on the server: its record, then
// (after calling ended, if not nil) its token. A failure here is reported,
// not retried: there is nothing left to end. why, if not nil, is why the
// session ended without a logout.
func (m *Manager) forget(ctx context.Context, why error, ended func()) {
	key := m.keyOf()
	warning := forgetRecord(m.cfg.Dir)
	if ended != nil {
		ended()
	}
	if derr := m.cfg.Secrets.Delete(context.WithoutCancel(ctx), key); derr != nil {
		warning = errors.Join(warning, fmt.Errorf("%w: %w", ErrTokenNotDeleted, derr))
	}
	m.setLoggedOut(why, warning)
}

func (m *Manager) setLoggedOut(why, warning error) {
	m.mu.Lock()
	client := m.client
	m.rec, m.token, m.key, m.client = nil, "", "", nil
	m.snap = Snapshot{State: LoggedOut, LastError: why, Warning: warning}
	m.mu.Unlock()
	// Nothing more to say to that server; don't keep its connection open.
	if client != nil {
		client.CloseIdleConnections()
	}
}

// logoutFailed keeps the session as pending, on disk and in memory. The
// next try is scheduled when the logout's flight ends (see finish).
func (m *Manager) logoutFailed(rec *record, cause error) error {
	now := time.Now()
	if rec.PendingSince == nil {
		rec.PendingSince = &now
	}
	rec.Attempts++
	rec.LastError, rec.LastFailure = cause.Error(), ErrorCode(cause)
	// The server ends a break with the session: what is pending now is
	// the end of both.
	rec.Break = nil
	saveErr := saveRecord(m.cfg.Dir, rec)

	m.mu.Lock()
	m.rec = rec
	m.snap = m.snapshotOf(rec, Snapshot{TokenFile: m.snap.TokenFile, LastError: cause, Warning: saveErr})
	m.mu.Unlock()
	return cause
}

// scheduleRetry arms the retry of a pending logout. m.mu must be held, and
// no flight be under way: a retry that fired into the failed logout's own
// flight would join it, get its failure, and never try again.
func (m *Manager) scheduleRetry() {
	if m.cfg.Retry.Initial <= 0 || m.closed {
		return
	}
	delay := m.cfg.Retry.delay(m.rec.Attempts)
	m.snap.NextRetry = time.Now().Add(delay)
	m.retry = time.AfterFunc(delay, m.retryLogout)
}

// retryLogout is the retry timer's work.
func (m *Manager) retryLogout() {
	m.mu.Lock()
	if m.closed || m.snap.State != LogoutPending {
		m.mu.Unlock()
		return
	}
	m.retryWG.Add(1)
	m.mu.Unlock()
	defer m.retryWG.Done()
	m.Logout(context.Background()) //nolint:errcheck // the outcome is published
}

// endSession makes the call that ends rec's session.
func endSession(ctx context.Context, client *ucontact.Client, rec *record, token ucontact.Token, message string) error {
	if rec.Kind == KindAgent {
		return client.EndAgentSession(ctx, agentSession(rec, token), message)
	}
	return client.EndUserSession(ctx, ucontact.UserSession{User: rec.User, Token: token})
}

// agentSession is the agent session of rec, for the calls on it.
func agentSession(rec *record, token ucontact.Token) ucontact.AgentSession {
	return ucontact.AgentSession{Agent: rec.User, Token: token, Extension: rec.Extension}
}

// Snapshot returns the current state.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap
}

// Subscribe returns a channel that receives the current snapshot at once and
// then every change. A slow reader misses intermediate snapshots, never the
// latest. cancel stops the subscription and closes the channel.
func (m *Manager) Subscribe() (updates <-chan Snapshot, cancel func()) {
	ch := make(chan Snapshot, 1)
	m.mu.Lock()
	defer m.mu.Unlock()
	ch <- m.snap
	if m.closed {
		close(ch)
		return ch, func() {}
	}
	m.subs[ch] = struct{}{}
	return ch, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.subs[ch]; ok {
			delete(m.subs, ch)
			close(ch)
		}
	}
}

// Close stops retries and subscriptions. It does not end the session: the
// record stays for the next start.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	if m.retry != nil {
		m.retry.Stop()
	}
	for ch := range m.subs {
		close(ch)
	}
	clear(m.subs)
	client := m.client
	m.mu.Unlock()
	m.retryWG.Wait()
	if client != nil {
		client.CloseIdleConnections()
	}
}

// publish sends the snapshot to every subscriber. m.mu must be held. It
// returns the log of the change, to call once m.mu is released: the log
// may be a file on a slow disk.
func (m *Manager) publish() (logChange func()) {
	for ch := range m.subs {
		select {
		case <-ch: // drop the stale one: the latest is what matters
		default:
		}
		ch <- m.snap
	}
	if m.snap.State == m.logged {
		return func() {}
	}
	s, was := m.snap, m.logged
	m.logged = s.State
	return func() { m.logState(s, was) }
}

// logState logs a change of state for support: who, where, and why when it
// went wrong. Nothing in a snapshot is secret.
func (m *Manager) logState(s Snapshot, was State) {
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("state", s.State.String()), slog.String("was", was.String())}
	if s.User != "" {
		attrs = append(attrs, slog.String("user", s.User), slog.String("server", s.Server), slog.String("kind", string(s.Kind)))
	}
	if s.Extension != "" {
		attrs = append(attrs, slog.String("extension", s.Extension))
	}
	if s.LastError != nil && !s.State.Busy() {
		if !errors.Is(s.LastError, ErrLoginCancelled) { // the user's choice
			level = slog.LevelWarn
		}
		attrs = append(attrs, slog.Any("err", s.LastError))
	}
	if s.State == LogoutPending {
		attrs = append(attrs, slog.Int("attempts", s.Attempts))
		if !s.NextRetry.IsZero() {
			attrs = append(attrs, slog.Time("next_retry", s.NextRetry))
		}
	}
	if s.Warning != nil {
		attrs = append(attrs, slog.Any("warning", s.Warning))
	}
	if s.TokenFile != "" {
		attrs = append(attrs, slog.String("token_file", s.TokenFile))
	}
	m.cfg.Log.LogAttrs(context.Background(), level, "session state", attrs...)
}

// usable reports whether the manager still takes work. m.mu must be held.
func (m *Manager) usable() error {
	if m.closed {
		return ErrClosed
	}
	return nil
}

// operation is what a flight does.
type operation int

const (
	opLogin operation = iota
	opLogout
	opBreak // starting or ending a break
)

// begin starts an operation. m.mu must be held.
func (m *Manager) begin(op operation) *flight {
	m.flight = &flight{op: op, done: make(chan struct{}), ended: make(chan struct{}), abandoned: make(chan struct{})}
	return m.flight
}

// finish ends an operation and publishes its outcome. A logout that left
// the session pending has its retry scheduled here, under the lock that
// ends the flight.
func (m *Manager) finish(f *flight, err error) {
	m.mu.Lock()
	f.err = err
	m.flight = nil
	if m.snap.State == LogoutPending {
		m.scheduleRetry()
	}
	logChange := func() {}
	if !f.isAbandoned() || !errors.Is(m.snap.LastError, ErrLoginCancelled) {
		// A login given up and wound down without a trace changes
		// nothing that CancelLogin did not publish already.
		logChange = m.publish()
	}
	m.mu.Unlock()
	logChange()
	close(f.done)
}

// waitEnded waits for a logout, calling ended (if not nil) as soon as the
// session is ended.
func (f *flight) waitEnded(ctx context.Context, ended func()) error {
	select {
	case <-f.ended:
	case <-f.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-f.ended:
		if ended != nil {
			ended()
		}
	default: // it failed
	}
	return f.wait(ctx)
}

// waitLogin waits for a login: its outcome, or ErrLoginCancelled as soon
// as the user gives it up.
func (f *flight) waitLogin(ctx context.Context) error {
	select {
	case <-f.done:
		if f.isAbandoned() {
			return ErrLoginCancelled // however its work ended
		}
		return f.err
	case <-f.abandoned:
		return ErrLoginCancelled
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *flight) isAbandoned() bool {
	select {
	case <-f.abandoned:
		return true
	default:
		return false
	}
}

func (f *flight) wait(ctx context.Context) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// snapshotOf describes the session of rec, keeping base's notes.
func (m *Manager) snapshotOf(rec *record, base Snapshot) Snapshot {
	s := base
	s.State = LoggedIn
	s.Server, s.User, s.Kind, s.Since, s.Extension = rec.Server, rec.User, rec.Kind, rec.Since, rec.Extension
	s.Break, s.NoBreaks = rec.Break, rec.NoBreaks
	if rec.PendingSince != nil {
		s.State = LogoutPending
		s.PendingSince = *rec.PendingSince
		s.Attempts = rec.Attempts
		if s.LastError == nil && rec.LastError != "" {
			s.LastError = ErrorFromCode(rec.LastFailure, rec.LastError)
		}
	}
	return s
}

func validate(req *LoginRequest) (*url.URL, error) {
	req.User = strings.TrimSpace(req.User)
	if req.User == "" {
		return nil, ErrEmptyUser
	}
	if req.Password == "" && !req.UseSavedPassword {
		return nil, ErrEmptyPassword
	}
	if req.Kind == "" {
		req.Kind = KindUser
	}
	if !req.Kind.Valid() {
		return nil, fmt.Errorf("%w: %q", ErrInvalidKind, req.Kind)
	}
	return ucontact.ParseServer(req.Server)
}

func (b Backoff) delay(attempt int) time.Duration {
	d := b.Initial
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	// ±20% so that 300 desks behind one outage do not retry in step.
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func withDefaultDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, defaultCallDeadline)
}

// keyOf is where the secret store keeps the session's token.
func (m *Manager) keyOf() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key != "" {
		return m.key
	}
	return sessionKey(m.cfg.Dir)
}

// keyringLabel is the name of r's secret in the keyring; "" for the
// keyring library's own.
func (m *Manager) keyringLabel(password bool, r *record) string {
	if m.cfg.KeyringLabel == nil {
		return ""
	}
	return m.cfg.KeyringLabel(password, r.User, r.Server, r.Kind)
}

func passwordKey(r *record) string {
	return "password/" + string(r.Kind) + "/" + r.User + "@" + r.Server
}
