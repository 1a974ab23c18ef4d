//go:build !windows && !darwin

package autostart

import (
	"errors"
	"testing"
)

// Only the Windows installer starts the app for every user; elsewhere the
// per-user entry is the whole story.
func TestForAllUsersIsWindowsOnly(t *testing.T) {
	e, _ := newEntry(t)
	if all, err := e.ForAllUsers(); all || err != nil {
		t.Errorf("ForAllUsers = %v, %v", all, err)
	}
	if err := e.SetForAllUsers(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SetForAllUsers = %v", err)
	}
	if removed, err := e.ClearForAllUsers(); removed || err != nil {
		t.Errorf("ClearForAllUsers = %v, %v", removed, err)
	}
}
