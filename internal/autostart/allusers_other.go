//go:build !windows

package autostart

import "errors"

// ForAllUsers reports whether the administrator starts the app for every
// user of the computer. Only the Windows installer does that.
func (e *Entry) ForAllUsers() (bool, error) { return false, nil }

// SetForAllUsers starts the app for every user of the computer: Windows
// only.
func (e *Entry) SetForAllUsers() error { return errors.ErrUnsupported }

// ClearForAllUsers undoes SetForAllUsers: Windows only; elsewhere there is
// nothing to undo.
func (e *Entry) ClearForAllUsers() (bool, error) { return false, nil }
