package autostart

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// runKey is the key whose values Windows runs at sign-in: under
// HKEY_CURRENT_USER for one user, under HKEY_LOCAL_MACHINE for every user.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// machineAccess reads and writes the 64-bit view of HKEY_LOCAL_MACHINE, the
// one the installer of a 64-bit program writes, whatever this build is.
const machineAccess = registry.WOW64_64KEY

func entryDir(string) string { return "" }

// command is the Run value: the program's path, quoted (it may have
// spaces, as under C:\Program Files).
func (e *Entry) command() string { return `"` + e.exec + `"` }

// ours reports whether a Run value starts this program, wherever it was
// installed then: an upgrade may have moved it.
func (e *Entry) ours(value string) bool {
	path := strings.Trim(strings.TrimSpace(value), `"`)
	return strings.EqualFold(filepath.Base(path), filepath.Base(e.exec))
}

// runValue is the Run value of one hive.
type runValue struct {
	root   registry.Key
	name   string // for messages: HKCU or HKLM
	access uint32
}

var (
	userRun    = runValue{root: registry.CURRENT_USER, name: "HKCU"}
	machineRun = runValue{root: registry.LOCAL_MACHINE, name: "HKLM", access: machineAccess}
)

func (v runValue) String() string { return v.name + `\` + runKey + `\` + name }

// read returns the value, "" and no error when it is not there.
func (v runValue) read() (string, error) {
	k, err := registry.OpenKey(v.root, runKey, registry.QUERY_VALUE|v.access)
	if errors.Is(err, registry.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	current, _, err := k.GetStringValue(name)
	switch {
	case errors.Is(err, registry.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading %s: %w", v, err)
	}
	return current, nil
}

// set writes command unless a value of the same name starts another
// program.
func (v runValue) set(e *Entry) error {
	k, _, err := registry.CreateKey(v.root, runKey, registry.QUERY_VALUE|registry.SET_VALUE|v.access)
	if err != nil {
		return fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	current, _, err := k.GetStringValue(name)
	switch {
	case err == nil && !e.ours(current):
		return fmt.Errorf("%s: %w", v, ErrNotOurs)
	case err != nil && !errors.Is(err, registry.ErrNotExist):
		return fmt.Errorf("reading %s: %w", v, err)
	}
	if err := k.SetStringValue(name, e.command()); err != nil {
		return fmt.Errorf("setting %s: %w", v, err)
	}
	return nil
}

// remove deletes the value if it starts this program, and reports whether
// it did.
func (v runValue) remove(e *Entry) (bool, error) {
	k, err := registry.OpenKey(v.root, runKey, registry.QUERY_VALUE|registry.SET_VALUE|v.access)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	current, _, err := k.GetStringValue(name)
	switch {
	case errors.Is(err, registry.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reading %s: %w", v, err)
	case !e.ours(current):
		return false, fmt.Errorf("%s: %w", v, ErrNotOurs)
	}
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return false, fmt.Errorf("deleting %s: %w", v, err)
	}
	return true, nil
}

// ForAllUsers reports whether HKLM\...\Run\ucontact-tray starts this
// program: the administrator starts it for every user.
func (e *Entry) ForAllUsers() (bool, error) {
	current, err := machineRun.read()
	return err == nil && current != "" && e.ours(current), err
}

// SetForAllUsers sets HKLM\...\Run\ucontact-tray to the program's path, so
// that Windows starts it for every user at sign-in. It needs an
// administrator (the installer runs it).
func (e *Entry) SetForAllUsers() error { return machineRun.set(e) }

// ClearForAllUsers deletes HKLM\...\Run\ucontact-tray if it starts this
// program, and reports whether it did.
func (e *Entry) ClearForAllUsers() (bool, error) { return machineRun.remove(e) }

// Enable sets HKCU\...\Run\ucontact-tray to the program's path. When the
// administrator already starts the app for every user, it removes that
// value instead: two starts at sign-in would show the first one's window.
func (e *Entry) Enable() error {
	all, err := e.ForAllUsers()
	if err != nil {
		return err
	}
	if all {
		_, err := userRun.remove(e)
		if errors.Is(err, ErrNotOurs) {
			return nil // not ours to remove; the app copes with a second start
		}
		return err
	}
	return userRun.set(e)
}

// Disable deletes the per-user Run value if it starts this program. It
// fails with ErrForAllUsers when the administrator starts the app for
// every user, which a user cannot undo.
func (e *Entry) Disable() error {
	if _, err := userRun.remove(e); err != nil {
		return err
	}
	all, err := e.ForAllUsers()
	if err != nil {
		return err
	}
	if all {
		return fmt.Errorf("%s: %w", machineRun, ErrForAllUsers)
	}
	return nil
}

// IsEnabled reports whether the app starts at this user's sign-in: a Run
// value that starts this program, the user's or every user's.
func (e *Entry) IsEnabled() (bool, error) {
	if all, err := e.ForAllUsers(); all || err != nil {
		return all, err
	}
	current, err := userRun.read()
	return err == nil && current != "" && e.ours(current), err
}
