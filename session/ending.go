package session

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"ucontact-tray/session/ucontact"
)

// ending is everything that ending a session needs, token included. The
// secret store keeps it under the state directory's own key, so that the
// session can be ended from the secret store alone when the record is
// damaged or was never written; the journal holds it while a login is
// being stored.
type ending struct {
	Server    string    `json:"server"`
	User      string    `json:"user"`
	Kind      Kind      `json:"kind"`
	Extension string    `json:"extension,omitempty"`
	Since     time.Time `json:"since"`
	Holder    Holder    `json:"holder,omitempty"`
	Token     string    `json:"token"`
}

func endingOf(r *record, token ucontact.Token) ending {
	return ending{Server: r.Server, User: r.User, Kind: r.Kind, Extension: r.Extension, Since: r.Since, Holder: r.Holder, Token: string(token)}
}

// record is the session record of e.
func (e ending) record() *record {
	return &record{Server: e.Server, User: e.User, Kind: e.Kind, Extension: e.Extension, Since: e.Since, Holder: e.Holder}
}

// pending is the record of e's session as a logout pending since now,
// because of cause: what a start does with a session nobody was told of.
func (e ending) pending(cause error) *record {
	r := e.record()
	now := time.Now()
	r.PendingSince = &now
	r.LastError, r.LastFailure = cause.Error(), ErrorCode(cause)
	return r
}

// sameSession reports whether r is the record of e's session.
func (e ending) sameSession(r *record) bool {
	return e.Server == r.Server && e.User == r.User && e.Kind == r.Kind
}

func (e ending) marshal() string {
	b, _ := json.Marshal(e) // plain strings and a time: cannot fail
	return string(b)
}

// parseEnding reads an ending and checks that it can end a session.
func parseEnding(s string) (ending, error) {
	var e ending
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return ending{}, fmt.Errorf("not a session: %w", err)
	}
	if e.User == "" || !e.Kind.Valid() || e.Token == "" {
		return ending{}, fmt.Errorf("not a session: user, kind or token missing")
	}
	if _, err := ucontact.ParseServer(e.Server); err != nil {
		return ending{}, fmt.Errorf("not a session: %w", err)
	}
	return e, nil
}

// sessionKey is where the secret store keeps the session of the state
// directory dir. It depends on dir alone, so it is found without the
// record, and two state directories of one user (two profiles, a test
// beside the real app) never share it.
func sessionKey(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return "session/" + hex.EncodeToString(sum[:8])
}

// legacyTokenKey is where versions before 1.1 kept the token alone, shared
// by every state directory: a record they left is still ended with it.
func legacyTokenKey(r *record) string {
	return "token/" + string(r.Kind) + "/" + r.User + "@" + r.Server
}
