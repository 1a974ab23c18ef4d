//go:build e2e

// Package e2e tests the built binary as a user, a script or the OS would
// run it, against the fake uContact server and real services (a private
// D-Bus, gnome-keyring) that the tests start themselves.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

// buildTimeout bounds building the programs when the tests are run without
// them: a cold cgo build of the window takes minutes.
const buildTimeout = 20 * time.Minute

// binary is the ucontact-tray under test: $UCT_BINARY, or one built here.
// Its window, ucontact-tray-window, is next to it.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// Everything the tests start carries this run's mark, so that what one
	// leaves behind is found below, however detached it is.
	testenv.MarkRun()
	binary = os.Getenv("UCT_BINARY")
	if binary == "" {
		dir, err := os.MkdirTemp("", "uct-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "ucontact-tray")
		for out, pkg := range map[string]string{binary: "..", binary + "-window": "../cmd/ucontact-tray-window"} {
			ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
			build := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
			build.Stdout, build.Stderr = os.Stdout, os.Stderr
			err := build.Run()
			cancel()
			if err != nil {
				fmt.Fprintln(os.Stderr, "building", pkg+":", err)
				return 1
			}
		}
	}
	code := m.Run()
	if !testenv.LeftNothing("the tests", 10*time.Second) {
		return 1
	}
	return code
}
