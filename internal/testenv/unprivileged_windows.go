//go:build windows

package testenv

import "testing"

// Unprivileged: file modes do not make a folder read-only on Windows, so a
// test that relies on them does not apply there.
func Unprivileged(t *testing.T) bool {
	t.Helper()
	t.Skip("file modes do not restrict access on Windows")
	return false
}
