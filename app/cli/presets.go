package cli

import (
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/settings"
)

// systemDirEnv overrides where the administrator's presets are read from,
// for tests and for packaging checks.
const systemDirEnv = "UCONTACT_TRAY_SYSTEM_DIR"

// systemDir is where the administrator's presets file is.
func (c *command) systemDir() string {
	if dir := c.Getenv(systemDirEnv); dir != "" {
		return dir
	}
	return settings.SystemDir(c.Getenv)
}

// presets reads the administrator's presets, and says on standard error
// what of them cannot be used; the rest is.
func (c *command) presets() settings.Presets {
	p := settings.LoadPresets(c.systemDir())
	for _, problem := range p.Problems {
		c.fail(messages.PresetProblem(c.msg, problem))
	}
	return p
}
