//go:build integration

package secrets

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ucontact-tray/internal/testenv"
)

// TestRealGnomeKeyring stores, reads and deletes a token in a real
// gnome-keyring-daemon on a private session bus. go-keyring connects to the
// session bus once per process, so this file is built alone (tag
// integration), away from the tests that replace the keyring with a mock.
func TestRealGnomeKeyring(t *testing.T) {
	bus := testenv.StartBus(t)
	testenv.StartKeyring(t, bus)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)

	s := NewStore(OSKeyring{}, t.TempDir())
	ctx := context.Background()
	if err := s.Probe(ctx); err != nil {
		t.Fatalf("Probe: %v", err)
	}
	const key, token = "token/user/ana@acme.ucontactcloud.com", "YW5hOjEyMzQ="
	const label = "uContact Tray: sesión de ana @ acme (usuario)"
	// First as go-keyring names it, as an earlier version stored it: the
	// labelled one replaces it, found by the same key.
	if loc, err := s.SaveToken(ctx, key, "", "old"); err != nil || !loc.InKeyring() {
		t.Fatalf("SaveToken = %+v, %v", loc, err)
	}
	loc, err := s.SaveToken(ctx, key, label, token)
	if err != nil || !loc.InKeyring() {
		t.Fatalf("SaveToken = %+v, %v", loc, err)
	}
	if err := s.SavePassword(ctx, "password/ana", "uContact Tray: contraseña de ana", "pw-ñ"); err != nil {
		t.Fatalf("SavePassword: %v", err)
	}

	// Another program sees the entry under our service name.
	secretTool := testenv.Require(t, "secret-tool", "libsecret-tools")
	lookup := exec.Command(secretTool, "lookup", "service", Service, "username", key)
	lookup.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus)
	out, err := lookup.Output()
	if err != nil || strings.TrimSpace(string(out)) != token {
		t.Errorf("secret-tool lookup = %q, %v", out, err)
	}

	// One item each, under the labels given: what Seahorse shows.
	search := exec.Command(secretTool, "search", "--all", "service", Service)
	search.Env = lookup.Env
	out, err = search.CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool search: %v\n%s", err, out)
	}
	labels := regexp.MustCompile(`(?m)^label = (.*)$`).FindAllStringSubmatch(string(out), -1)
	var got []string
	for _, l := range labels {
		got = append(got, l[1])
	}
	slices.Sort(got)
	if want := []string{"uContact Tray: contraseña de ana", label}; !slices.Equal(got, want) {
		t.Errorf("labels in the keyring %q, want %q\n%s", got, want, out)
	}

	tok, _, err := s.LoadToken(ctx, key)
	if err != nil || tok != token {
		t.Fatalf("LoadToken = %q, %v", tok, err)
	}
	if pw, err := s.LoadPassword(ctx, "password/ana"); err != nil || pw != "pw-ñ" {
		t.Fatalf("LoadPassword = %q, %v", pw, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.LoadToken(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v, want ErrNotFound", err)
	}
}
