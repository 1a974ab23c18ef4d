package window

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestMain runs the tests under Fyne's fyneDo migration, as the window
// runs (see metadata). Fyne reads it once, from the app that is current
// when it first needs it, so the first app is one with the window's
// metadata; and what Fyne made of it is checked: under the migration,
// fyne.Do on the main goroutine runs the function at once, and without it
// Fyne logs an error and runs it on another goroutine.
func TestMain(m *testing.M) {
	fyne.SetCurrentApp(withMetadata{test.NewApp()})
	var ran atomic.Bool
	fyne.Do(func() { ran.Store(true) })
	if !ran.Load() {
		fmt.Fprintln(os.Stderr, "the window's tests do not run under Fyne's fyneDo migration")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// withMetadata is a test app with the window's metadata.
type withMetadata struct{ fyne.App }

func (withMetadata) Metadata() fyne.AppMetadata { return metadata() }

// FyneApp.toml, which `fyne build` and `fyne package` read, says what the
// window says of itself.
func TestFyneAppTomlMigrations(t *testing.T) {
	f, err := os.Open("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inFile := map[string]bool{}
	section := ""
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if section == "Migrations" && ok {
			inFile[strings.TrimSpace(key)] = strings.TrimSpace(value) == "true"
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	if want := metadata().Migrations; fmt.Sprint(inFile) != fmt.Sprint(want) {
		t.Errorf("FyneApp.toml's [Migrations] %v, the window's %v", inFile, want)
	}
}
