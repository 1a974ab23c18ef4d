//go:build !integration

package secrets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestTokenRoundTripInKeyring(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	s := NewStore(OSKeyring{}, dir)
	ctx := context.Background()

	loc, err := s.SaveToken(ctx, "token/user/ana@acme", "", "tok-1")
	if err != nil || !loc.InKeyring() {
		t.Fatalf("SaveToken = %+v, %v; want the keyring", loc, err)
	}
	got, loc, err := s.LoadToken(ctx, "token/user/ana@acme")
	if err != nil || got != "tok-1" || !loc.InKeyring() {
		t.Fatalf("LoadToken = %q, %+v, %v", got, loc, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written with a working keyring: %v", entries)
	}
	if err := s.Delete(ctx, "token/user/ana@acme"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LoadToken(ctx, "token/user/ana@acme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "token/user/ana@acme"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestNoKeyringFallsBackToFileForTokensOnly(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	dir := filepath.Join(t.TempDir(), "state")
	s := NewStore(OSKeyring{}, dir)
	ctx := context.Background()

	loc, err := s.SaveToken(ctx, "token/agent/ana@acme", "", "tok-2")
	if err != nil {
		t.Fatal(err)
	}
	if loc.InKeyring() || !strings.HasPrefix(loc.File, dir) || !errors.Is(loc.Why, ErrUnavailable) {
		t.Fatalf("location %+v: want a file in %s and the keyring's error", loc, dir)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(loc.File)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("token file mode %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	}
	got, loc2, err := s.LoadToken(ctx, "token/agent/ana@acme")
	if err != nil || got != "tok-2" || loc2.File != loc.File {
		t.Fatalf("LoadToken = %q, %+v, %v", got, loc2, err)
	}

	if err := s.SavePassword(ctx, "password/ana@acme", "", "pw"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("SavePassword without keyring = %v, want ErrUnavailable", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if strings.Contains(string(b), "pw") && !strings.Contains(string(b), "tok") {
			t.Errorf("password written to %s", e.Name())
		}
	}
	if len(entries) != 1 {
		t.Errorf("files %v, want only the token", entries)
	}
	if err := s.Probe(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Probe = %v, want ErrUnavailable", err)
	}

	if err := s.Delete(ctx, "token/agent/ana@acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(loc.File); !os.IsNotExist(err) {
		t.Errorf("token file still there after Delete: %v", err)
	}
}

func TestKeyringBackAfterFallbackRemovesStaleFile(t *testing.T) {
	keyring.MockInitWithError(errors.New("no bus"))
	dir := t.TempDir()
	s := NewStore(OSKeyring{}, dir)
	ctx := context.Background()
	loc, err := s.SaveToken(ctx, "k", "", "old")
	if err != nil || loc.InKeyring() {
		t.Fatal(loc, err)
	}
	keyring.MockInit()
	if loc, err := s.SaveToken(ctx, "k", "", "new"); err != nil || !loc.InKeyring() {
		t.Fatal(loc, err)
	}
	if _, err := os.Stat(loc.File); !os.IsNotExist(err) {
		t.Errorf("stale token file kept: %v", err)
	}
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"not found", keyring.ErrNotFound, ErrNotFound},
		{"too big", keyring.ErrSetDataTooBig, ErrTooBig},
		{"anything else", errors.New("dbus: connection refused"), ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keyring.MockInitWithError(tc.err)
			s := NewStore(OSKeyring{}, t.TempDir())
			if _, err := s.LoadPassword(context.Background(), "k"); !errors.Is(err, tc.want) {
				t.Errorf("= %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSecretTooBig(t *testing.T) {
	keyring.MockInit()
	s := NewStore(OSKeyring{}, t.TempDir())
	if _, err := s.SaveToken(context.Background(), "k", "", strings.Repeat("x", maxSecret+1)); !errors.Is(err, ErrTooBig) {
		t.Fatalf("= %v, want ErrTooBig", err)
	}
}

// lockedKeyring never answers, like a locked keyring waiting on its prompt.
type lockedKeyring struct{ release chan struct{} }

func (k lockedKeyring) Set(string, string, string) error { <-k.release; return nil }
func (k lockedKeyring) Get(string, string) (string, error) {
	<-k.release
	return "", keyring.ErrNotFound
}
func (k lockedKeyring) Delete(string, string) error { <-k.release; return nil }

func TestLockedKeyringTimesOut(t *testing.T) {
	k := lockedKeyring{release: make(chan struct{})}
	defer close(k.release)
	s := NewStore(k, t.TempDir()).WithTimeout(50 * time.Millisecond)
	ctx := context.Background()

	start := time.Now()
	if _, err := s.LoadPassword(ctx, "k"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("LoadPassword = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// A token still finds a home.
	loc, err := s.SaveToken(ctx, "k", "", "tok")
	if err != nil || loc.InKeyring() || !errors.Is(loc.Why, ErrTimeout) {
		t.Fatalf("SaveToken = %+v, %v; want the file, because of the timeout", loc, err)
	}
	// A context deadline shorter than the store's wins.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	s = s.WithTimeout(time.Hour)
	start = time.Now()
	if err := s.SavePassword(short, "k", "", "pw"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("SavePassword = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("ignored the context deadline: %v", d)
	}
}
