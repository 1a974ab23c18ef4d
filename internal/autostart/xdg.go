//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// xdgMarker marks the entries this package writes (the Desktop Entry
// specification reserves X- keys for such extensions).
const xdgMarker = "X-ucontact-tray-Autostart=true"

func entryDir(configDir string) string { return filepath.Join(configDir, "autostart") }

func (e *Entry) file() fileEntry {
	return fileEntry{path: filepath.Join(e.dir, name+".desktop"), marker: []byte("\n" + xdgMarker + "\n")}
}

// Enable writes $XDG_CONFIG_HOME/autostart/ucontact-tray.desktop, which the
// desktop runs when the user logs in.
func (e *Entry) Enable() error {
	exec, err := desktopExec(e.exec)
	if err != nil {
		return err
	}
	// Spanish is the app's language wherever the locale is not English,
	// so it is the entry's too: the plain keys, which a desktop shows for
	// any locale without its own, and es; English for en.
	content := fmt.Sprintf(`# Written by ucontact-tray ("Iniciar con el sistema"); unticking it removes this file.
[Desktop Entry]
Type=Application
Name=uContact Tray
Name[es]=uContact Tray
Name[en]=uContact Tray
Comment=Cierra su sesión de uContact, aunque usted lo olvide
Comment[es]=Cierra su sesión de uContact, aunque usted lo olvide
Comment[en]=Ends your uContact session, even when you forget
Exec=%s
Terminal=false
X-GNOME-Autostart-enabled=true
%s
`, exec, xdgMarker)
	return e.file().write([]byte(content))
}

// Disable removes the entry if this package wrote it.
func (e *Entry) Disable() error { return e.file().remove() }

// IsEnabled reports whether the entry this package writes is there and not
// turned off by the desktop's own settings.
func (e *Entry) IsEnabled() (bool, error) {
	st, err := e.file().read()
	if err != nil || !st.ours {
		return false, err
	}
	return !turnedOff(st.content), nil
}

// turnedOff reports whether a desktop's settings turned the entry off:
// GNOME's and KDE's startup settings keep the file and set one of these.
func turnedOff(entry []byte) bool {
	for _, line := range strings.Split(string(entry), "\n") {
		switch strings.TrimSpace(line) {
		case "Hidden=true", "X-GNOME-Autostart-enabled=false":
			return true
		}
	}
	return false
}

// desktopExec quotes path as the Exec key of a desktop entry: the
// argument's quoting rules, then the escapes of a string value.
func desktopExec(path string) (string, error) {
	if strings.ContainsAny(path, "\n\r\x00") {
		return "", errors.New("autostart: the program's path has a line break")
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range path {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		case '%':
			b.WriteByte('%') // field codes start with %
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	// A string value escapes backslashes again: a literal one becomes four.
	return strings.ReplaceAll(b.String(), `\`, `\\`), nil
}
