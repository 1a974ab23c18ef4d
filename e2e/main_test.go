//go:build e2e

// Package e2e tests the built binary as a user, a script or the OS would
// run it, against the fake uContact server and real services (a private
// D-Bus, gnome-keyring) that the tests start themselves.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the ucontact-tray under test: $UCT_BINARY, or one built here.
// Its window, ucontact-tray-window, is next to it.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
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
			build := exec.Command("go", "build", "-o", out, pkg)
			build.Stdout, build.Stderr = os.Stdout, os.Stderr
			if err := build.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "building", pkg+":", err)
				return 1
			}
		}
	}
	return m.Run()
}
