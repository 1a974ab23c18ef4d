package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"ucontact-tray/session/ucontact"
)

// PresetsFile is the administrator's file in the system directory. It is
// plain "key = value" lines, written by hand (see docs/admin.md,
// "Administrator presets").
const PresetsFile = "presets.conf"

// maxPresets bounds what is read of the presets file: a real one is a few
// hundred bytes.
const maxPresets = 64 << 10

// The keys of the presets file.
const (
	KeyServer          = "server"
	KeyKind            = "kind"
	KeyLogoutOnSuspend = "logout_on_suspend"
	KeyAutostart       = "autostart"
	KeyLock            = "lock"
	// KeyBreakMotives lists the breaks an agent may take from the tray. It
	// is the administrator's alone: the motives must exist in the tenant,
	// so a user's guess has no place, and there is nothing to lock.
	KeyBreakMotives = "break_motives"

	KeyLockBreak             = "lock_break"
	KeyLogoutWhenLockedAfter = "logout_when_locked_after"
	KeyLogoutWhenIdleAfter   = "logout_when_idle_after"
	KeyLogoutAt              = "logout_at"
)

// Codes of the problems a presets file can have.
const (
	ProblemUnreadable  = "unreadable"   // Value: why
	ProblemTooLarge    = "too-large"    //
	ProblemEncoding    = "encoding"     // UTF-16, as some Windows editors save
	ProblemSyntax      = "syntax"       // Value: the line
	ProblemUnknownKey  = "unknown-key"  // Key
	ProblemBadValue    = "bad-value"    // Key, Value
	ProblemDuplicate   = "duplicate"    // Key; the last one counts
	ProblemLockUnknown = "lock-unknown" // Key: what lock named
	ProblemLockUnset   = "lock-unset"   // Key: locked but given no value
)

// Presets are what the administrator set for every user of the computer.
type Presets struct {
	// Values holds what the file sets; what it does not set is zero.
	// Only Server, Kind, LogoutOnSuspend and Autostart are ever set.
	Values Settings
	Locked Locks
	// BreakMotives are the breaks offered in the tray, in the file's
	// order, each once; none when the file sets none.
	BreakMotives []string
	// Problems are what could not be used, in the order of the lines. The
	// rest of the file is used.
	Problems []Problem
}

// Locks says which settings the administrator fixed: the user cannot
// change them.
type Locks struct {
	Server          bool `json:"server,omitempty"`
	Kind            bool `json:"kind,omitempty"`
	LogoutOnSuspend bool `json:"logout_on_suspend,omitempty"`
	Autostart       bool `json:"autostart,omitempty"`

	LockBreak             bool `json:"lock_break,omitempty"`
	LogoutWhenLockedAfter bool `json:"logout_when_locked_after,omitempty"`
	LogoutWhenIdleAfter   bool `json:"logout_when_idle_after,omitempty"`
	LogoutAt              bool `json:"logout_at,omitempty"`
}

// Problem is something in the presets file that could not be used: a line
// of it (Line counts from 1), or the whole file (Line 0). It holds what an
// explanation in the user's language needs; Error is for logs.
type Problem struct {
	File  string `json:"file"`
	Line  int    `json:"line,omitempty"`
	Code  string `json:"code"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

func (p Problem) Error() string {
	where := p.File
	if p.Line > 0 {
		where = fmt.Sprintf("%s line %d", p.File, p.Line)
	}
	var what string
	switch p.Code {
	case ProblemUnreadable:
		what = "cannot be read: " + p.Value
	case ProblemTooLarge:
		what = fmt.Sprintf("is larger than %d bytes; not read", maxPresets)
	case ProblemEncoding:
		what = "is UTF-16; save it as UTF-8"
	case ProblemSyntax:
		what = fmt.Sprintf("%q is not key = value; ignored", p.Value)
	case ProblemUnknownKey:
		what = fmt.Sprintf("unknown key %q; ignored", p.Key)
	case ProblemBadValue:
		what = fmt.Sprintf("%q is not a valid value for %s; ignored", p.Value, p.Key)
	case ProblemDuplicate:
		what = fmt.Sprintf("%s set again; this one counts", p.Key)
	case ProblemLockUnknown:
		what = fmt.Sprintf("lock names %q, which cannot be locked; ignored", p.Key)
	case ProblemLockUnset:
		what = fmt.Sprintf("lock names %s, which the file does not set; not locked", p.Key)
	default:
		what = p.Code
	}
	return where + ": " + what
}

// SystemDir is where the administrator's presets live on this system:
// /etc/ucontact-tray on Linux, %ProgramData%\ucontact-tray on Windows,
// /Library/Application Support/ucontact-tray on macOS.
func SystemDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		base := getenv("ProgramData")
		if base == "" {
			base = `C:\ProgramData`
		}
		return filepath.Join(base, "ucontact-tray")
	case "darwin":
		return "/Library/Application Support/ucontact-tray"
	}
	return "/etc/ucontact-tray"
}

// LoadPresets reads the presets file in dir. No file means no presets. It
// never fails: what cannot be used is in the Problems, and the rest is
// used, so the app always starts.
func LoadPresets(dir string) Presets {
	path := filepath.Join(dir, PresetsFile)
	unreadable := func(err error) Presets {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the problem
		}
		return Presets{Problems: []Problem{{File: path, Code: ProblemUnreadable, Value: err.Error()}}}
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Presets{}
	}
	if err != nil {
		return unreadable(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPresets+1))
	if err != nil {
		return unreadable(err)
	}
	if len(data) > maxPresets {
		return Presets{Problems: []Problem{{File: path, Code: ProblemTooLarge}}}
	}
	return ParsePresets(path, data)
}

// ParsePresets reads the content of a presets file; file names it in the
// problems.
//
// The format: one "key = value" a line; blank lines and lines starting with
// # or ; are ignored; keys are case-insensitive; a value may be in double
// quotes. "lock = server, kind" fixes the listed keys to their value in the
// file.
func ParsePresets(file string, data []byte) Presets {
	var p Presets
	report := func(line int, code, key, value string) {
		p.Problems = append(p.Problems, Problem{File: file, Line: line, Code: code, Key: key, Value: value})
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		report(0, ProblemEncoding, "", "")
		return p
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // Notepad's UTF-8 mark

	seen := map[string]int{} // key → line it was set on
	lockLine := map[string]int{}
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			report(n, ProblemSyntax, "", clip(line))
			continue
		}
		key, value := strings.ToLower(strings.TrimSpace(k)), unquote(strings.TrimSpace(v))
		if key == KeyLock {
			for _, name := range strings.FieldsFunc(strings.ToLower(value), isListSeparator) {
				if !p.Locked.set(name) {
					report(n, ProblemLockUnknown, clip(name), "")
					continue
				}
				lockLine[name] = n
			}
			continue
		}
		if !p.set(key, value) {
			switch {
			case key == KeyBreakMotives:
				// Only a list without a name is refused: it has no value.
				report(n, ProblemBadValue, key, "")
			case isKey(key):
				report(n, ProblemBadValue, key, clip(value))
			default:
				report(n, ProblemUnknownKey, clip(key), "")
			}
			continue
		}
		if _, dup := seen[key]; dup {
			report(n, ProblemDuplicate, key, "")
		}
		seen[key] = n
	}
	// A lock fixes the value the file gives; with none there is nothing to
	// fix it to.
	for _, key := range append([]string{KeyServer, KeyKind, KeyLogoutOnSuspend, KeyAutostart},
		walkAwayKeys...) {
		if n, locked := lockLine[key]; locked {
			if _, set := seen[key]; !set {
				report(n, ProblemLockUnset, key, "")
				p.Locked.clear(key)
			}
		}
	}
	slices.SortStableFunc(p.Problems, func(a, b Problem) int { return a.Line - b.Line })
	return p
}

// set sets key to value as a presets file writes it, and reports whether
// key is known and value valid for it.
func (p *Presets) set(key, value string) bool {
	if key != KeyBreakMotives {
		return p.Values.preset(key, value)
	}
	motives := parseList(value)
	if len(motives) == 0 {
		return false
	}
	p.BreakMotives = motives
	return true
}

// parseList reads a list of names separated by commas: each trimmed, the
// empty ones dropped, and each kept once, where it first appears. Spaces
// belong to a name ("Pausa activa").
func parseList(value string) []string {
	var names []string
	for name := range strings.SplitSeq(value, ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// preset sets key to value as a presets file writes it, and reports
// whether key is known and value valid for it.
func (s *Settings) preset(key, value string) bool {
	switch key {
	case KeyServer:
		if _, err := ucontact.ParseServer(value); err != nil {
			return false
		}
		s.Server = value
	case KeyKind:
		kind, err := ucontact.ParseKind(value)
		if err != nil {
			return false
		}
		s.Kind = kind
	case KeyLogoutOnSuspend, KeyAutostart:
		b, ok := parseBool(value)
		if !ok {
			return false
		}
		if key == KeyAutostart {
			s.Autostart = &b
		} else {
			s.LogoutOnSuspend = &b
		}
	default:
		return s.presetWalkAway(key, value)
	}
	return true
}

func isKey(key string) bool {
	switch key {
	case KeyServer, KeyKind, KeyLogoutOnSuspend, KeyAutostart, KeyLock, KeyBreakMotives:
		return true
	}
	return slices.Contains(walkAwayKeys, key)
}

func (l *Locks) set(key string) bool { return l.put(key, true) }

func (l *Locks) clear(key string) { l.put(key, false) }

func (l *Locks) put(key string, locked bool) bool {
	switch key {
	case KeyServer:
		l.Server = locked
	case KeyKind:
		l.Kind = locked
	case KeyLogoutOnSuspend:
		l.LogoutOnSuspend = locked
	case KeyAutostart:
		l.Autostart = locked
	case KeyLockBreak:
		l.LockBreak = locked
	case KeyLogoutWhenLockedAfter:
		l.LogoutWhenLockedAfter = locked
	case KeyLogoutWhenIdleAfter:
		l.LogoutWhenIdleAfter = locked
	case KeyLogoutAt:
		l.LogoutAt = locked
	default:
		return false
	}
	return true
}

// parseBool accepts what an administrator is likely to write for yes and
// no, in English or Spanish.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "yes", "true", "on", "1", "sí", "si":
		return true, true
	case "no", "false", "off", "0":
		return false, true
	}
	return false, false
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func isListSeparator(r rune) bool { return r == ',' || r == ' ' || r == '\t' }

// clip keeps what a problem quotes from the file short enough for a
// message.
func clip(s string) string {
	const limit = 60
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
