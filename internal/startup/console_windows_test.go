package startup

import (
	"os"
	"testing"
)

// The tests run with their output redirected (a pipe or a file), as a
// command run by a script or an installer does: those handles are kept,
// not replaced by the console's.
func TestRedirectedHandlesAreKept(t *testing.T) {
	stdout, stderr, stdin := os.Stdout, os.Stderr, os.Stdin
	AttachConsole()
	if os.Stdout != stdout || os.Stderr != stderr || os.Stdin != stdin {
		t.Errorf("AttachConsole replaced the redirected standard handles")
	}
}
