package resident

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/settings"
)

type notes struct {
	mu    sync.Mutex
	seen  []string    // "summary: body"
	added chan string // if not nil, receives each as it comes
}

func (n *notes) Notify(_ context.Context, summary, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seen = append(n.seen, summary+": "+body)
	if n.added != nil {
		n.added <- summary + ": " + body
	}
	return nil
}

// A tray app whose settings file is damaged at start says so in its log
// and in a notification, in the user's words, and uses the defaults; the
// next change of a setting writes a new file, the damaged one kept aside.
func TestDamagedSettingsAtStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte("{\x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, problem := settings.Load(dir) // as app/cli does before Run
	if problem == nil || s != (settings.Settings{}) {
		t.Fatalf("Load = %+v, %v", s, problem)
	}
	var log bytes.Buffer
	n := &notes{}
	r := &Resident{
		cfg: Config{
			StateDir: dir, Msg: i18n.MustNew(i18n.Spanish), Notifier: n,
			Log: slog.New(slog.NewTextHandler(&log, nil)), SettingsProblem: problem,
		},
		iconShown: make(chan struct{}),
	}
	r.iconUp()
	r.reportSettings(context.Background(), r.cfg.SettingsProblem)
	want := "Configuración no leída: El archivo de configuración " + path + " estaba dañado: se ha apartado como " + path + ".damaged y se usan los valores predeterminados."
	if len(n.seen) != 1 || n.seen[0] != want {
		t.Errorf("notifications %q, want %q", n.seen, want)
	}
	if !strings.Contains(log.String(), `level=WARN msg="settings not read; using the defaults"`) {
		t.Errorf("log:\n%s", log.String())
	}

	if !r.effective().EndOnSuspend() {
		t.Error("the defaults end the session on suspend")
	}
	if err := r.updateSettings(func(s *settings.Settings) error { s.User = "ana"; return nil }); err != nil {
		t.Fatal(err)
	}
	if s, err := settings.Load(dir); err != nil || s.User != "ana" {
		t.Errorf("after a change: %+v, %v", s, err)
	}
	if _, err := os.Stat(path + ".damaged"); err != nil {
		t.Errorf("the damaged file is gone: %v", err)
	}
}

// A file damaged while the app runs is set aside and logged when next
// read, and the defaults are used.
func TestSettingsDamagedWhileRunning(t *testing.T) {
	dir := t.TempDir()
	off := false
	if err := settings.Save(dir, settings.Settings{LogoutOnSuspend: &off}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	r := &Resident{cfg: Config{StateDir: dir, Log: slog.New(slog.NewTextHandler(&log, nil))}}
	if r.effective().EndOnSuspend() {
		t.Fatal("the setting was not read")
	}
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(`{"logout_on_suspend": "no"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if !r.effective().EndOnSuspend() {
		t.Error("a damaged file did not give the defaults")
	}
	if !strings.Contains(log.String(), "set aside as") {
		t.Errorf("log:\n%s", log.String())
	}
}
