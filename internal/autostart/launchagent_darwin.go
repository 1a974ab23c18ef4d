package autostart

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"strings"
)

// label names the LaunchAgent, reverse-DNS as launchd expects.
const label = "io.github.ucontacttray"

const launchAgentMarker = `<!-- Written by ucontact-tray ("Iniciar con el sistema"); unticking it removes this file. -->`

func entryDir(configDir string) string {
	// configDir is ~/Library/Application Support.
	return filepath.Join(filepath.Dir(configDir), "LaunchAgents")
}

func (e *Entry) file() fileEntry {
	return fileEntry{path: filepath.Join(e.dir, label+".plist"), marker: []byte(launchAgentMarker)}
}

// Enable writes ~/Library/LaunchAgents/io.github.ucontacttray.plist, which
// launchd runs when the user logs in.
func (e *Entry) Enable() error {
	var exec strings.Builder
	if err := xml.EscapeText(&exec, []byte(e.exec)); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	content := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
` + launchAgentMarker + `
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + label + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + exec.String() + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
	return e.file().write([]byte(content))
}

// Disable removes the LaunchAgent if this package wrote it.
func (e *Entry) Disable() error { return e.file().remove() }

// IsEnabled reports whether the LaunchAgent this package writes is there.
func (e *Entry) IsEnabled() (bool, error) {
	st, err := e.file().read()
	return st.ours, err
}
