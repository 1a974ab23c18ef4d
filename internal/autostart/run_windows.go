package autostart

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// runKey is the per-user key whose values Windows runs at sign-in.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

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

// Enable sets HKCU\...\Run\ucontact-tray to the program's path.
func (e *Entry) Enable() error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE|registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	current, _, err := k.GetStringValue(name)
	switch {
	case err == nil && !e.ours(current):
		return fmt.Errorf(`HKCU\%s\%s: %w`, runKey, name, ErrNotOurs)
	case err != nil && !errors.Is(err, registry.ErrNotExist):
		return fmt.Errorf("reading the Run value: %w", err)
	}
	if err := k.SetStringValue(name, e.command()); err != nil {
		return fmt.Errorf("setting the Run value: %w", err)
	}
	return nil
}

// Disable deletes the Run value if it starts this program.
func (e *Entry) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE|registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	current, _, err := k.GetStringValue(name)
	switch {
	case errors.Is(err, registry.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("reading the Run value: %w", err)
	case !e.ours(current):
		return fmt.Errorf(`HKCU\%s\%s: %w`, runKey, name, ErrNotOurs)
	}
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("deleting the Run value: %w", err)
	}
	return nil
}

// IsEnabled reports whether the Run value is there and starts this program.
func (e *Entry) IsEnabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
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
		return false, fmt.Errorf("reading the Run value: %w", err)
	}
	return e.ours(current), nil
}
