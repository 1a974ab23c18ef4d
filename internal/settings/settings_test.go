package settings

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(dir); err != nil || s != (Settings{}) || !s.EndOnSuspend() {
		t.Fatalf("Load of nothing = %+v, %v", s, err)
	}
	off := false
	want := Settings{Server: "acme", User: "ana", Kind: "agent", Remember: true, LogoutOnSuspend: &off}
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got.Server != want.Server || got.User != want.User || got.Kind != want.Kind || !got.Remember || got.EndOnSuspend() {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if !(Settings{}).EndOnSuspend() {
		t.Error("a suspend does not end the session by default")
	}
}

func TestDamagedFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, fileName), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err == nil || s != (Settings{}) {
		t.Fatalf("Load = %+v, %v; want defaults and an error", s, err)
	}
}
