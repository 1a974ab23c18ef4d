package settings

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// A file that is not settings gives the defaults and is set aside, with
// what it held, so that the next Load finds nothing to report.
func TestDamagedFile(t *testing.T) {
	for name, data := range map[string][]byte{
		"truncated":  []byte("{"),
		"binary":     {0x00, 0xff, 0xfe, 0x1b, 0x80},
		"wrong type": []byte(`{"server": 42}`),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, fileName)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Load(dir)
			var de *DamagedError
			if !errors.As(err, &de) || s != (Settings{}) {
				t.Fatalf("Load = %+v, %v; want defaults and a DamagedError", s, err)
			}
			if de.Path != path || de.SetAside != path+".damaged" {
				t.Errorf("error %+v", de)
			}
			if b, err := os.ReadFile(path + ".damaged"); err != nil || !bytes.Equal(b, data) {
				t.Errorf("set aside: %q, %v", b, err)
			}
			if s, err := Load(dir); err != nil || s != (Settings{}) {
				t.Errorf("second Load = %+v, %v; want defaults, no error", s, err)
			}
		})
	}
}

// A file that cannot be read is not damaged: it stays where it is, and the
// defaults come with an error naming it.
func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, fileName)
	if err := os.Mkdir(path, 0o700); err != nil { // a folder: read fails whoever runs the test
		t.Fatal(err)
	}
	s, err := Load(dir)
	var de *DamagedError
	if err == nil || errors.As(err, &de) || s != (Settings{}) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load = %+v, %v; want defaults and a read error", s, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the unreadable file was moved: %v", err)
	}
}
