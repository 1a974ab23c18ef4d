package session

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/secrets/secretstest"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// A login that died after the server's answer, while its session was being
// stored, left its journal: the next start ends that session, whoever
// started the login.
func TestInterruptedLoginIsEnded(t *testing.T) {
	for _, kind := range bothKinds {
		for _, holder := range []Holder{HolderCommand, HolderResident} {
			t.Run(string(kind)+"/"+string(holder), func(t *testing.T) {
				h := newHarness(t, fake.Variant{})
				token := h.openOnServer(kind)
				// What a login killed right after the answer leaves: its
				// journal, unlocked by the death of its process.
				rec := &record{Server: h.srv.URL(), User: user, Kind: kind, Since: time.Now(), Holder: holder}
				if kind == KindAgent {
					rec.Extension = h.srv.Sessions()[0].Extension
				}
				j, err := openJournal(h.dir)
				if err == nil {
					err = j.write(endingOf(rec, token))
				}
				if err != nil {
					t.Fatal(err)
				}
				j.f.Close()

				next := h.open(HolderResident, Backoff{})
				if s := next.Snapshot(); s.State != LogoutPending || !errors.Is(s.LastError, ErrLoginInterrupted) || s.User != user {
					t.Fatalf("snapshot %+v; want the interrupted login's session pending its logout", s)
				}
				if _, err := os.Stat(journalPath(h.dir)); !os.IsNotExist(err) {
					t.Errorf("journal kept once the session was stored: %v", err)
				}
				if ended, err := next.Recover(context.Background()); !ended || err != nil {
					t.Fatalf("Recover = %v, %v", ended, err)
				}
				h.assertEndedOnce(kind)
				h.assertClean()
			})
		}
	}
}

// A login under way in another process holds its journal: a start at that
// moment leaves it alone.
func TestLiveJournalIsLeftAlone(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	token := h.openOnServer(KindUser)
	rec := &record{Server: h.srv.URL(), User: user, Kind: KindUser, Since: time.Now(), Holder: HolderCommand}
	j, err := openJournal(h.dir)
	if err == nil {
		err = j.write(endingOf(rec, token))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer j.discard()
	m := h.open(HolderResident, Backoff{})
	if s := m.Snapshot(); s.State != LoggedOut {
		t.Fatalf("state %v while another process is storing its login", s.State)
	}
	if _, err := os.Stat(journalPath(h.dir)); err != nil {
		t.Errorf("a live login's journal was taken: %v", err)
	}
}

// A journal whose login died before writing it holds no session: it goes.
func TestEmptyJournalIsRemoved(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journalPath(h.dir), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s := h.open(HolderResident, Backoff{}).Snapshot(); s.State != LoggedOut || s.Warning != nil {
		t.Fatalf("snapshot %+v", s)
	}
	if _, err := os.Stat(journalPath(h.dir)); !os.IsNotExist(err) {
		t.Errorf("empty journal kept: %v", err)
	}
}

// The journal is gone once a login is reported, and nothing but the
// fallback file holds the token then.
func TestLoginLeavesNoJournal(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(KindAgent)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(journalPath(h.dir)); !os.IsNotExist(err) {
		t.Errorf("journal left after the login: %v", err)
	}
	h.assertNoSecretOnDisk()
}

// The journal is written as soon as the answer is read: before the secret
// store is asked to keep the token.
func TestJournalComesBeforeTheKeyring(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	probe := &journalProbe{Memory: h.keyring, dir: h.dir}
	m, err := Open(context.Background(), Config{
		Dir:     h.dir,
		Secrets: secrets.NewStore(probe, h.dir),
		Client:  func(u *url.URL) *ucontact.Client { return ucontact.NewClient(u, ucontact.Options{}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	if !probe.sawJournal {
		t.Error("the token reached the keyring before the journal was written")
	}
}

// A record that cannot be read does not lose its session: the secret store
// holds what ending it needs, and the next start ends it.
func TestDamagedRecordSessionIsEnded(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(kind)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(recordPath(h.dir), []byte("{\x00\x00garbage"), 0o600); err != nil {
				t.Fatal(err)
			}
			m := h.open(HolderCommand, Backoff{})
			s := m.Snapshot()
			var damaged *DamagedRecordError
			if s.State != LogoutPending || s.User != user || !errors.As(s.Warning, &damaged) || damaged.SetAside == "" {
				t.Fatalf("snapshot %+v; want the session pending its logout and the damage reported", s)
			}
			if err := m.Logout(context.Background()); err != nil {
				t.Fatal(err)
			}
			h.assertEndedOnce(kind)
			h.assertClean()
			if _, err := os.Stat(damaged.SetAside); err != nil {
				t.Errorf("damaged record not kept for support: %v", err)
			}
		})
	}
}

// With the keyring not answering, a damaged record stays where it is: the
// session it was about may be in the keyring, for the next start.
func TestDamagedRecordWaitsForTheKeyring(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recordPath(h.dir), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.keyring.SetAvailable(false)
	if s := h.open(HolderCommand, Backoff{}).Snapshot(); !errors.Is(s.Warning, ErrTokenUnreadable) {
		t.Fatalf("snapshot %+v", s)
	}
	h.keyring.SetAvailable(true)
	m := h.open(HolderCommand, Backoff{})
	if s := m.Snapshot(); s.State != LogoutPending {
		t.Fatalf("state %v once the keyring answers", s.State)
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.assertEndedOnce(KindUser)
}

// Two state folders of one user on one server (two profiles) keep their
// sessions apart: ending one leaves the other endable.
func TestStateFoldersDoNotShareTheKeyring(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	first := h.open(HolderCommand, Backoff{})
	other := *h
	other.dir = filepath.Join(t.TempDir(), "other")
	second := other.open(HolderCommand, Backoff{})
	for _, m := range []*Manager{first, second} {
		if err := m.Login(context.Background(), h.request(KindUser)); err != nil {
			t.Fatal(err)
		}
	}
	if err := first.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := other.open(HolderCommand, Backoff{})
	if s := again.Snapshot(); s.State != LoggedIn || s.Warning != nil {
		t.Fatalf("the other folder's session: %+v", s)
	}
	if err := again.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.srv.OpenSessions()); n != 0 {
		t.Errorf("%d sessions left open", n)
	}
}

// A record written by an earlier version, whose token is under the key it
// used, is still ended, and that key is cleaned up.
func TestEarlierVersionsTokenKey(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	token := h.openOnServer(KindUser)
	rec := &record{Server: h.srv.URL(), User: user, Kind: KindUser, Since: time.Now(), Holder: HolderCommand}
	if err := saveRecord(h.dir, rec); err != nil {
		t.Fatal(err)
	}
	if err := h.keyring.Set(secrets.Service, legacyTokenKey(rec), string(token)); err != nil {
		t.Fatal(err)
	}
	m := h.open(HolderCommand, Backoff{})
	if s := m.Snapshot(); s.State != LoggedIn || s.Warning != nil {
		t.Fatalf("snapshot %+v", s)
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.assertEndedOnce(KindUser)
	h.assertClean()
}

// Temporary files a killed write left, token files among them, are removed
// at the next start.
func TestLeftoverTemporaryFilesAreRemoved(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(h.dir, ".session_0011223344556677.token.123456.tmp")
	if err := os.WriteFile(left, []byte("a-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.open(HolderCommand, Backoff{})
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("temporary token file still there: %v", err)
	}
}

// A record that says its session ended is none.
func TestEndedRecordIsNoSession(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recordPath(h.dir), []byte(`{"ended": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if s := h.open(HolderCommand, Backoff{}).Snapshot(); s.State != LoggedOut || s.Warning != nil {
		t.Fatalf("snapshot %+v", s)
	}
	if _, err := os.Stat(recordPath(h.dir)); !os.IsNotExist(err) {
		t.Errorf("ended record kept: %v", err)
	}
}

// openOnServer opens a session on the fake server directly, as a login
// that died would have, and returns its token.
func (h *harness) openOnServer(kind Kind) ucontact.Token {
	h.t.Helper()
	u, _ := ucontact.ParseServer(h.srv.URL())
	c := ucontact.NewClient(u, ucontact.Options{})
	defer c.CloseIdleConnections()
	if kind == KindAgent {
		s, err := c.OpenAgentSession(context.Background(), user, password, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		return s.Token
	}
	s, err := c.OpenUserSession(context.Background(), user, password, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return s.Token
}

// journalProbe is a keyring that notes whether the journal was on disk
// when a session was stored in it.
type journalProbe struct {
	*secretstest.Memory
	dir        string
	sawJournal bool
}

func (p *journalProbe) Set(service, key, secret string) error {
	if _, err := os.Stat(journalPath(p.dir)); err == nil {
		p.sawJournal = true
	}
	return p.Memory.Set(service, key, secret)
}

// A configuration folder made read-only after the login: the logout ends
// the session, says the record (not the keyring) could not be removed,
// and nothing takes the record for an open session afterwards.
func TestReadOnlyFolderAfterLogin(t *testing.T) {
	if !testenv.Unprivileged(t) {
		return
	}
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(h.dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(h.dir, 0o700) }) //nolint:errcheck // for TempDir's removal
	m := h.open(HolderCommand, Backoff{})
	if err := m.Logout(context.Background()); err != nil {
		t.Fatalf("Logout = %v", err)
	}
	if w := m.Snapshot().Warning; !errors.Is(w, ErrRecordNotRemoved) || errors.Is(w, ErrTokenNotDeleted) {
		t.Errorf("warning %v; want the record named, not the keyring", w)
	}
	if n := len(h.srv.OpenSessions()); n != 0 {
		t.Fatalf("%d sessions open", n)
	}
	if s := h.open(HolderCommand, Backoff{}).Snapshot(); s.State != LoggedOut {
		t.Errorf("after the logout: %v", s.State)
	}
}

// What the journal adds to a login: made before the request, one write at
// the answer, removed once the session is stored.
func BenchmarkJournal(b *testing.B) {
	dir := b.TempDir()
	e := ending{Server: "https://acme.ucontactcloud.com", User: user, Kind: KindAgent, Extension: "1001", Since: time.Now(), Token: "0123456789abcdef0123456789abcdef"}
	for b.Loop() {
		j, err := openJournal(dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.write(e); err != nil {
			b.Fatal(err)
		}
		if err := j.discard(); err != nil {
			b.Fatal(err)
		}
	}
}
