// Package secrets keeps the session token and, if the user asks, the password
// in the OS keyring (Secret Service on Linux, Credential Manager on Windows,
// Keychain on macOS), with a deadline on every call.
//
// Where no keyring exists (headless Linux, WSL) the password is never stored,
// and the session token goes to a file only the user can read, so that a
// logout is never lost. Every save says where the secret went.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"ucontact-tray/internal/atomicfile"
)

// Service is the keyring service name all of the app's secrets are filed under.
const Service = "ucontact-tray"

// DefaultTimeout bounds a keyring call whose context has no deadline. A
// locked keyring can show an unlock prompt that waits forever.
const DefaultTimeout = 5 * time.Second

// maxSecret is far above any token or password, and below every keyring's limit.
const maxSecret = 2048

var (
	// ErrNotFound means no secret is stored under the key.
	ErrNotFound = errors.New("secret not found")
	// ErrUnavailable means there is no usable keyring (no daemon, no bus,
	// access refused).
	ErrUnavailable = errors.New("keyring unavailable")
	// ErrTimeout means the keyring did not answer in time, most likely
	// because it is locked and waiting for the user to unlock it.
	ErrTimeout = errors.New("keyring did not answer in time (is it locked?)")
	// ErrTooBig means the secret is larger than a keyring entry can hold.
	ErrTooBig = errors.New("secret too big for the keyring")
)

// Backend is a keyring. The default is go-keyring's OS keyring.
type Backend interface {
	Set(service, key, secret string) error
	Get(service, key string) (string, error)
	Delete(service, key string) error
}

// LabeledBackend is a Backend that can also name what it stores for the
// person who finds it in the keyring's own window (Seahorse, GNOME's
// Passwords and Keys). The secret is still found by service and key alone:
// the label is for people.
type LabeledBackend interface {
	SetLabeled(service, key, label, secret string) error
}

// OSKeyring is the OS keyring, through go-keyring. Where the keyring lets
// an entry have a name of its own (the Secret Service: see SetLabeled) it
// is given the caller's label.
type OSKeyring struct{}

func (OSKeyring) Set(service, key, secret string) error   { return keyring.Set(service, key, secret) }
func (OSKeyring) Get(service, key string) (string, error) { return keyring.Get(service, key) }
func (OSKeyring) Delete(service, key string) error        { return keyring.Delete(service, key) }

// Location is where a secret was stored.
type Location struct {
	// File is empty when the secret is in the keyring, and the path of the
	// fallback file otherwise.
	File string
	// Why is the keyring's error that made the fallback necessary.
	Why error
}

// InKeyring reports whether the secret went to the keyring.
func (l Location) InKeyring() bool { return l.File == "" }

// Store keeps secrets under keys chosen by the caller. It holds no mutable
// state; calls may run concurrently when the Backend allows it.
type Store struct {
	backend     Backend
	fallbackDir string
	timeout     time.Duration
}

// NewStore returns a store over backend. fallbackDir is where tokens go when
// the keyring is unavailable; it is created 0700 when first needed.
func NewStore(backend Backend, fallbackDir string) *Store {
	return &Store{backend: backend, fallbackDir: fallbackDir, timeout: DefaultTimeout}
}

// WithTimeout returns a copy of s whose calls wait at most d when their
// context has no earlier deadline.
func (s *Store) WithTimeout(d time.Duration) *Store {
	c := *s
	c.timeout = d
	return &c
}

// SaveToken stores a session token: in the keyring if it answers, in a 0600
// file otherwise. Only when both fail is an error returned. label names it
// in the keyring's own window, where it can be; "" leaves the keyring
// library's name.
func (s *Store) SaveToken(ctx context.Context, key, label, token string) (Location, error) {
	err := s.set(ctx, key, label, token)
	if err == nil {
		// A token left in a file by an earlier fallback is stale now.
		s.removeFile(key) //nolint:errcheck // best effort; Delete tries again
		return Location{}, nil
	}
	if errors.Is(err, ErrTooBig) {
		return Location{}, err
	}
	path, ferr := s.writeFile(key, token)
	if ferr != nil {
		return Location{}, fmt.Errorf("storing token: keyring: %w; file: %w", err, ferr)
	}
	return Location{File: path, Why: err}, nil
}

// LoadToken reads a token from the keyring, or from the fallback file.
func (s *Store) LoadToken(ctx context.Context, key string) (string, Location, error) {
	tok, kerr := s.get(ctx, key)
	if kerr == nil {
		return tok, Location{}, nil
	}
	path := s.filePath(key)
	b, ferr := os.ReadFile(path)
	if ferr == nil {
		return strings.TrimSpace(string(b)), Location{File: path, Why: kerr}, nil
	}
	if !errors.Is(ferr, fs.ErrNotExist) {
		return "", Location{}, fmt.Errorf("reading token: keyring: %w; file: %w", kerr, ferr)
	}
	return "", Location{}, kerr
}

// SavePassword stores a password in the keyring, named label as SaveToken
// does. Passwords never go to a file: without a keyring this fails and the
// user types the password next time.
func (s *Store) SavePassword(ctx context.Context, key, label, password string) error {
	return s.set(ctx, key, label, password)
}

// LoadPassword reads a password from the keyring.
func (s *Store) LoadPassword(ctx context.Context, key string) (string, error) {
	return s.get(ctx, key)
}

// Delete removes a secret from the keyring and any fallback file. Deleting
// what does not exist is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	ferr := s.removeFile(key)
	err := s.call(ctx, func() error { return s.backend.Delete(Service, key) })
	// With no keyring there is nothing in it to delete.
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
		err = nil
	}
	return errors.Join(err, ferr)
}

// Probe reports whether the keyring answers, so the UI can say up front that
// passwords cannot be remembered.
func (s *Store) Probe(ctx context.Context) error {
	_, err := s.get(ctx, "probe")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (s *Store) set(ctx context.Context, key, label, secret string) error {
	if len(secret) > maxSecret {
		return ErrTooBig
	}
	if lb, ok := s.backend.(LabeledBackend); ok && label != "" {
		return s.call(ctx, func() error { return lb.SetLabeled(Service, key, label, secret) })
	}
	return s.call(ctx, func() error { return s.backend.Set(Service, key, secret) })
}

func (s *Store) get(ctx context.Context, key string) (string, error) {
	var secret string
	err := s.call(ctx, func() error {
		var err error
		secret, err = s.backend.Get(Service, key)
		return err
	})
	return secret, err
}

// call runs one backend call with a deadline and maps its error to the
// package's. A call that times out keeps running in its goroutine: go-keyring
// cannot be interrupted, and it is waiting on a prompt the user may answer.
func (s *Store) call(ctx context.Context, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return mapError(err)
	case <-ctx.Done():
		return ErrTimeout
	}
}

func mapError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrTooBig
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrUnavailable), errors.Is(err, ErrTimeout), errors.Is(err, ErrTooBig):
		return err
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// filePath is the fallback file of key. Keys are chosen by the app, but are
// made safe for a file name anyway.
func (s *Store) filePath(key string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, key)
	return filepath.Join(s.fallbackDir, safe+".token")
}

func (s *Store) writeFile(key, token string) (string, error) {
	path := s.filePath(key)
	return path, atomicfile.Write(path, []byte(token), 0o600)
}

func (s *Store) removeFile(key string) error {
	err := os.Remove(s.filePath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
