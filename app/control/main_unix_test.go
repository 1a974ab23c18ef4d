//go:build unix

package control

import (
	"fmt"
	"os"
	"testing"
)

// childEnv, when set, makes the test binary one of the helper processes
// that some tests start (see runChild): another user's socket, a resident
// with few file descriptors.
const childEnv = "UCT_CONTROL_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		if err := runChild(role, os.Getenv(childDirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childDirEnv is the folder a helper process works in.
const childDirEnv = "UCT_CONTROL_TEST_DIR"

func runChild(role, dir string) error {
	switch role {
	case "foreign":
		return foreignListener(dir)
	case "few-descriptors":
		return residentWithFewDescriptors(dir)
	}
	return fmt.Errorf("unknown helper %q", role)
}
