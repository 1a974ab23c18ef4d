package session

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// The secrets of a session are named by the caller's KeyringLabel, and
// found by their keys as before: a session stored with a label is ended,
// and a remembered password used, by a manager that has none.
func TestKeyringLabels(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	label := func(password bool, user, server string, kind Kind) string {
		return fmt.Sprintf("password=%v %s @ %s (%s)", password, user, server, kind)
	}
	m, err := Open(context.Background(), Config{
		Dir:     h.dir,
		Secrets: secrets.NewStore(h.keyring, h.dir).WithTimeout(time.Second),
		Client: func(u *url.URL) *ucontact.Client {
			return ucontact.NewClient(u, ucontact.Options{CallTimeout: 2 * time.Second})
		},
		Holder:       HolderCommand,
		Log:          slog.New(slog.NewTextHandler(h.log, nil)),
		KeyringLabel: label,
	})
	if err != nil {
		t.Fatal(err)
	}
	req := h.request(KindAgent)
	req.Remember = true
	if err := m.Login(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	m.Close()
	labels := h.keyring.Labels()
	want := map[string]string{
		secrets.Service + "/" + sessionKey(h.dir):                       label(false, user, h.srv.URL(), KindAgent),
		secrets.Service + "/password/agent/" + user + "@" + h.srv.URL(): label(true, user, h.srv.URL(), KindAgent),
	}
	if len(labels) != len(want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("label of %s = %q, want %q", k, labels[k], v)
		}
	}

	other := h.open(HolderCommand, Backoff{})
	if !other.HasSavedPassword(context.Background(), h.srv.URL(), user, KindAgent) {
		t.Error("the remembered password is not found")
	}
	if err := other.Logout(context.Background()); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if open := h.srv.OpenSessions(); len(open) != 0 {
		t.Errorf("sessions left open: %+v", open)
	}
}
