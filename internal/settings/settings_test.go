package settings

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(dir); err != nil || s != (Settings{}) {
		t.Fatalf("Load of nothing = %+v, %v", s, err)
	}
	want := Settings{Server: "acme", User: "ana", Kind: "agent", Remember: true}
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(dir); err != nil || got != want {
		t.Fatalf("Load = %+v, %v", got, err)
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
