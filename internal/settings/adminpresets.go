package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"ucontact-tray/internal/atomicfile"
)

// writtenMark begins the first line of a presets file that RenderPresets
// made. It tells the uninstaller that the file is the installer's to
// remove; an administrator who deletes that line keeps the file.
const writtenMark = "# ucontact-tray admin presets:"

// PresetsRequest is a presets file given as values on a command line (the
// installer's properties) rather than written by hand: each value as
// typed, "" where none was given.
type PresetsRequest struct {
	Server          string
	Kind            string
	LogoutOnSuspend string
	Autostart       string
	// Lock names the keys to lock, separated by commas or spaces.
	Lock string
}

// IsZero reports whether r gives no value at all.
func (r PresetsRequest) IsZero() bool { return r == PresetsRequest{} }

// RenderPresets makes the presets file that sets what r gives: a comment
// saying who wrote it, then one "key = value" line per value given, in a
// fixed order. It makes nothing if a value is not valid, or if the file
// would not read back as r (a line break inside a value, say): the
// problems say why, one per value, with the Key of the value and no File
// or Line.
func RenderPresets(r PresetsRequest) ([]byte, []Problem) {
	var problems []Problem
	bad := func(key, value string) {
		problems = append(problems, Problem{Code: ProblemBadValue, Key: key, Value: clip(value)})
	}

	var want Presets
	var lines []string
	add := func(key, value string) {
		if value = strings.TrimSpace(value); value == "" {
			return
		}
		if strings.ContainsFunc(value, isControl) || !want.Values.preset(key, value) {
			bad(key, value)
			return
		}
		// Written as the parser reads it back, so the file is plain.
		switch key {
		case KeyKind:
			value = string(want.Values.Kind)
		case KeyLogoutOnSuspend:
			value = yesNo(*want.Values.LogoutOnSuspend)
		case KeyAutostart:
			value = yesNo(*want.Values.Autostart)
		}
		lines = append(lines, key+" = "+value)
	}
	add(KeyServer, r.Server)
	add(KeyKind, r.Kind)
	add(KeyLogoutOnSuspend, r.LogoutOnSuspend)
	add(KeyAutostart, r.Autostart)
	var locked []string
	for _, name := range strings.FieldsFunc(strings.ToLower(r.Lock), isListSeparator) {
		if !want.Locked.set(name) {
			problems = append(problems, Problem{Code: ProblemLockUnknown, Key: clip(name)})
			continue
		}
		if !slices.Contains(locked, name) {
			locked = append(locked, name)
		}
	}
	for _, name := range locked {
		if !want.Values.has(name) && !slices.ContainsFunc(problems, func(p Problem) bool { return p.Key == name }) {
			problems = append(problems, Problem{Code: ProblemLockUnset, Key: name})
		}
	}
	if len(locked) > 0 {
		lines = append(lines, KeyLock+" = "+strings.Join(locked, ", "))
	}
	if len(problems) > 0 {
		return nil, problems
	}

	eol := "\n"
	if runtime.GOOS == "windows" {
		eol = "\r\n" // for the Notepad of older Windows Servers
	}
	header := []string{
		writtenMark + " written by the uContact Tray installer; uninstalling it removes this file.",
		"# Escrito por el instalador de uContact Tray; al desinstalarlo se borra este archivo.",
		"# Delete these lines to keep the file / Quite estas líneas para conservarlo.",
	}
	data := []byte(strings.Join(append(header, lines...), eol) + eol)

	// What the app will read must be exactly what was asked for.
	got := ParsePresets("", data)
	if len(got.Problems) > 0 || !samePresets(got, want) {
		return nil, []Problem{{Code: ProblemSyntax, Value: clip(strings.Join(lines, " | "))}}
	}
	return data, nil
}

// IsRendered reports whether data is a presets file that RenderPresets
// made and no one has claimed since by deleting its first line.
func IsRendered(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	return bytes.HasPrefix(data, []byte(writtenMark))
}

// SavePresets replaces the presets file in dir with data, atomically: the
// app, starting at that moment, reads either the old file or the new one.
// dir is created if missing, readable by everyone (every user's app reads
// it).
func SavePresets(dir string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return atomicfile.Write(filepath.Join(dir, PresetsFile), data, 0o644)
}

// RemoveRenderedPresets removes the presets file in dir if RenderPresets
// made it, then dir itself if that left it empty, and reports whether it
// removed the file. A file written by hand is left alone, and so is a
// folder that holds anything else.
func RemoveRenderedPresets(dir string) (bool, error) {
	path := filepath.Join(dir, PresetsFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reading %s: %w", path, err)
	case !IsRendered(data):
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("removing %s: %w", path, err)
	}
	// Only an empty folder goes: os.Remove refuses any other.
	os.Remove(dir) //nolint:errcheck // a folder that stays is not an error
	return true, nil
}

func (s Settings) has(key string) bool {
	switch key {
	case KeyServer:
		return s.Server != ""
	case KeyKind:
		return s.Kind != ""
	case KeyLogoutOnSuspend:
		return s.LogoutOnSuspend != nil
	case KeyAutostart:
		return s.Autostart != nil
	case KeyLockBreak, KeyLogoutWhenLockedAfter, KeyLogoutWhenIdleAfter, KeyLogoutAt:
		return s.walkAway(key) != ""
	}
	return false
}

func samePresets(a, b Presets) bool {
	same := func(x, y *bool) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Locked == b.Locked && a.Values.Server == b.Values.Server && a.Values.Kind == b.Values.Kind &&
		same(a.Values.LogoutOnSuspend, b.Values.LogoutOnSuspend) && same(a.Values.Autostart, b.Values.Autostart)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
