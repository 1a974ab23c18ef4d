//go:build bench

// Package bench measures what an agent feels of the built app, each figure
// beside its floor measured in the same run on the same private desktop,
// and prints one table. It is run by `make bench`.
//
// The floors: a minimal fyne.io/systray program (floor/systray) for the
// resident's start, memory and idle cost; a minimal Fyne program
// (floor/fyne) for the window's start; one round trip of the same request
// on a warm connection, from a Go client here, for the shutdown latencies;
// a bare go-keyring Set of a token-sized secret on the same keyring, for
// the login.
//
// Nothing here is a timed pass/fail test: every figure is printed with a
// verdict against its target ("ok" or "short"), and the test fails only
// when something could not be measured.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"ucontact-tray/internal/testenv"
)

const (
	user     = "ana"
	password = "pw-bench"

	startRuns   = 7  // process starts per program
	latencyRuns = 10 // shutdowns per server case; logins
	rttRuns     = 20 // warm round trips for the latency floor

	settleTime   = 10 * time.Second        // from logged in to the memory sample
	loginsApart  = 1500 * time.Millisecond // more than the resident waits to settle after a burst
	idleWindow   = 60 * time.Second        // the idle CPU and wake-up window
	startTimeout = 30 * time.Second        // a first start can wait on a cold disk
	stepTimeout  = 15 * time.Second
)

// Targets.
const (
	maxStartRatio  = 1.5 // resident start, and its memory, against the systray floor
	maxMemRatio    = 1.5
	maxIdleCPU     = 5 * time.Millisecond // per idle minute
	maxWindowRatio = 1.2                  // window drawn, against the Fyne floor
	maxWireExtra   = 5 * time.Millisecond // signal → end on the wire, above one round trip
	maxRelease     = 5 * time.Millisecond // answer → inhibitor released
	maxLoginExtra  = 3 * time.Millisecond // login, above the server's own time and the keyring floor
)

// TestMain marks the run so that a program the bench leaves behind is
// found and killed, and the run fails.
func TestMain(m *testing.M) {
	testenv.MarkRun()
	code := m.Run()
	if !testenv.LeftNothing("the bench", 10*time.Second) {
		code = 1
	}
	os.Exit(code)
}

// TestBench measures everything and prints the table.
func TestBench(t *testing.T) {
	began := time.Now()
	app := appBinaries(t)
	floors := buildFloors(t)
	b := newBed(t)

	rows := [][]string{{"measure", "app", "floor", "app/floor", "target", "verdict"}}
	rows = append(rows, measureStarts(b, app, floors)...)
	rows = append(rows, measureWindowStarts(b, app, floors)...)
	rows = append(rows, measureLogins(b, app)...)
	rows = append(rows, measureShutdowns(b, app)...)
	rows = append(rows, measureIdle(b, app, floors)...)
	rows = append(rows, measureControlSocket(b, app)...)
	rows = append(rows, measureSizes(t, app, floors)...)
	fmt.Printf("\nucontact-tray bench, %s, %d CPUs; times in ms as median/min/max; took %v\n\n%s\n",
		time.Now().Format(time.DateOnly), runtime.NumCPU(), time.Since(began).Round(time.Second), table(rows))
}

// binaries are the app's programs under test.
type binaries struct {
	resident, window       string // Linux, as `make build` makes them
	residentExe, windowExe string // Windows, as `make windows` does
}

// appBinaries are the programs `make build` and `make windows` made, found
// through $UCT_BINARY and $UCT_WINDOWS_BINARY.
func appBinaries(t *testing.T) binaries {
	res, exe := os.Getenv("UCT_BINARY"), os.Getenv("UCT_WINDOWS_BINARY")
	if res == "" || exe == "" {
		t.Fatal("UCT_BINARY or UCT_WINDOWS_BINARY is not set: run `make bench`")
	}
	return binaries{
		resident:    res,
		window:      filepath.Join(filepath.Dir(res), "ucontact-tray-window"),
		residentExe: exe,
		windowExe:   filepath.Join(filepath.Dir(exe), "ucontact-tray-window.exe"),
	}
}

// table aligns rows in columns.
func table(rows [][]string) string {
	var buf strings.Builder
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t")+"\t") // every cell ends a column
	}
	w.Flush()
	var out strings.Builder
	for line := range strings.Lines(buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	return out.String()
}
