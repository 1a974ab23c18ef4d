package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"ucontact-tray/internal/autostart"
	"ucontact-tray/internal/settings"
)

// admin runs the commands for the computer's administrator, which the
// Windows installer runs with its properties (see windows/msi). They are
// left out of the usage text, which is for the users at the desks;
// docs/admin.md documents them.
func (c *command) admin(args []string) int {
	if len(args) == 0 {
		c.fail(c.msg.T("admin.usage"))
		return ExitUsage
	}
	switch args[0] {
	case "presets":
		return c.adminPresets(args[1:])
	case "uninstall":
		return c.adminUninstall(args[1:])
	case "help", "-h", "-help", "--help":
		c.say(c.msg.T("admin.usage"))
		return ExitOK
	}
	c.fail(c.msg.T("usage.unknown_command", "Command", "admin "+args[0]))
	c.fail(c.msg.T("admin.usage"))
	return ExitUsage
}

// adminFlags is c.flags for an admin command: its help is the admin one.
func (c *command) adminFlags(name string) *flag.FlagSet { return c.flags("admin " + name) }

// adminPresets writes the administrator's presets file from the values
// given, as the installer's: an empty value is one not given (the
// installer passes every property, set or not), and with none the file is
// left as it is. Nothing is written unless every value is valid. On
// Windows --autostart also starts the app, or no longer, for every user.
func (c *command) adminPresets(args []string) int {
	fs := c.adminFlags("presets")
	var r settings.PresetsRequest
	fs.StringVar(&r.Server, "server", "", "")
	fs.StringVar(&r.Kind, "kind", "", "")
	fs.StringVar(&r.LogoutOnSuspend, "logout-on-suspend", "", "")
	fs.StringVar(&r.Autostart, "autostart", "", "")
	fs.StringVar(&r.Lock, "lock", "", "")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if r.IsZero() {
		c.say(c.msg.T("admin.nothing"))
		return ExitOK
	}
	dir := c.systemDir()
	path := filepath.Join(dir, settings.PresetsFile)
	data, problems := settings.RenderPresets(r)
	if len(problems) > 0 {
		for _, p := range problems {
			c.fail(c.msg.T("admin.not_written", "File", path, "Problem", c.adminProblem(p)))
		}
		return ExitUsage
	}
	// Every user's start first: if the registry refuses, nothing at all
	// has changed.
	if r.Autostart != "" {
		on := *settings.ParsePresets(path, data).Values.Autostart
		if code := c.allUsersAutostart(on); code != ExitOK {
			return code
		}
	}
	if err := settings.SavePresets(dir, data); err != nil {
		c.fail(c.msg.T("admin.write_failed", "File", path, "Reason", err.Error()))
		return ExitUnexpected
	}
	c.say(c.msg.T("admin.written", "File", path))
	return ExitOK
}

// allUsersAutostart starts the app for every user of the computer, or
// stops doing so, where the system has such a thing (Windows).
func (c *command) allUsersAutostart(on bool) int {
	entry, err := autostart.New(c.Executable, "")
	if err == nil {
		if on {
			err = entry.SetForAllUsers()
		} else {
			var removed bool
			removed, err = entry.ClearForAllUsers()
			if removed {
				c.say(c.msg.T("admin.all_users_off"))
			}
		}
	}
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		// The preset alone: each user's first login turns it on.
		return ExitOK
	case err != nil:
		c.fail(c.msg.T("admin.all_users_failed", "Reason", err.Error()))
		return ExitUnexpected
	case on:
		c.say(c.msg.T("admin.all_users_on"))
	}
	return ExitOK
}

// adminUninstall undoes adminPresets: it removes the presets file if
// adminPresets wrote it (an administrator's own is kept) and the start for
// every user. The uninstaller runs it; a failure is reported but the rest
// is still undone.
func (c *command) adminUninstall(args []string) int {
	fs := c.adminFlags("uninstall")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	code := ExitOK
	dir := c.systemDir()
	path := filepath.Join(dir, settings.PresetsFile)
	removed, err := settings.RemoveRenderedPresets(dir)
	switch {
	case err != nil:
		c.fail(c.msg.T("admin.remove_failed", "File", path, "Reason", err.Error()))
		code = ExitUnexpected
	case removed:
		c.say(c.msg.T("admin.presets_removed", "File", path))
	default:
		if _, err := os.Stat(path); err == nil {
			c.say(c.msg.T("admin.presets_kept", "File", path))
		}
	}
	if entry, err := autostart.New(c.Executable, ""); err == nil {
		removed, err := entry.ClearForAllUsers()
		switch {
		case err != nil:
			c.fail(c.msg.T("admin.all_users_failed", "Reason", err.Error()))
			code = ExitUnexpected
		case removed:
			c.say(c.msg.T("admin.all_users_off"))
		}
	}
	return code
}

// adminProblem says what is wrong with a value given to adminPresets.
func (c *command) adminProblem(p settings.Problem) string {
	switch {
	case p.Code == settings.ProblemBadValue && p.Key == settings.KeyServer:
		return c.msg.T("admin.bad_server", "Value", p.Value)
	case p.Code == settings.ProblemBadValue && p.Key == settings.KeyKind:
		return c.msg.T("admin.bad_kind", "Value", p.Value)
	case p.Code == settings.ProblemBadValue:
		return c.msg.T("admin.bad_bool", "Key", p.Key, "Value", p.Value)
	case p.Code == settings.ProblemLockUnknown:
		return c.msg.T("admin.lock_unknown", "Key", p.Key)
	case p.Code == settings.ProblemLockUnset:
		return c.msg.T("admin.lock_unset", "Key", p.Key)
	}
	return fmt.Sprint(p)
}
