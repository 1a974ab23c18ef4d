// Package cli is the command line: login, logout, status, an agent's break
// and unbreak, version and demo, for scripts, IT admins and tests. Messages are in the user's language;
// secrets never reach the output.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"ucontact-tray/app/messages"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// Exit codes, documented in the usage text and in docs/admin.md.
const (
	ExitOK          = 0
	ExitUnexpected  = 1
	ExitUsage       = 2
	ExitCredentials = 3
	ExitServer      = 4
	ExitNothingToDo = 5
)

// defaultCallTimeout bounds a command's network work: a slow server gets a
// clear message, not a hang.
const defaultCallTimeout = 15 * time.Second

// Env is everything a command reads from or writes to the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// ConfigDir is the user's configuration directory (os.UserConfigDir);
	// the session record lives in its ucontact-tray folder.
	ConfigDir func() (string, error)
	// CacheDir is the user's cache directory (os.UserCacheDir); the log
	// files live in its ucontact-tray folder. nil: no log files.
	CacheDir func() (string, error)
	Keyring  secrets.Backend
	Version  string
	// ReadPassword asks for a password on the user's terminal without echo;
	// nil when there is no terminal.
	ReadPassword func(prompt string) (string, error)
	// CallTimeout bounds a login or logout (default 15 s).
	CallTimeout time.Duration
	// Executable is this program; the login window's program is next to
	// it.
	Executable string
	// CrashErr is why the crash file could not be set
	// (logfile.CrashOutput), if it could not: the tray app logs it.
	CrashErr error
}

// command is one run of the command line.
type command struct {
	Env
	msg *i18n.Catalog
	// told holds the lines already on standard error: a warning about
	// the session found and the error of what was done with it can be
	// the same sentence, which is said once.
	told map[string]bool
}

// Run runs the command line and returns the process's exit code.
func Run(ctx context.Context, args []string, env Env) int {
	c := &command{Env: env, msg: i18n.MustNew(i18n.Detect(env.Getenv))}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isCommandFlag(args[0]) {
		// The resident handles the signals itself: they mean "end the
		// session now" (session/shutdown).
		return c.trayApp(ctx, args)
	}
	name, rest := args[0], args[1:]
	if name != "demo" {
		// Ctrl+C or a SIGTERM stops a command cleanly.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	switch name {
	case "login":
		return c.login(ctx, rest)
	case "logout":
		return c.logout(ctx, rest)
	case "status":
		return c.status(ctx, rest)
	case "break":
		return c.startBreak(ctx, rest)
	case "unbreak":
		return c.endBreak(ctx, rest)
	case "demo":
		return c.demo(ctx, rest)
	case "admin":
		return c.admin(rest)
	case "version", "--version":
		fmt.Fprintf(c.Stdout, "ucontact-tray %s\n", c.Version)
		return ExitOK
	case "help":
		return c.help(ctx, rest)
	case "-h", "-help", "--help":
		c.usage(c.Stdout)
		return ExitOK
	}
	c.fail(c.msg.T("usage.unknown_command", "Command", name))
	c.fail(c.msg.T("usage.see_help", "Help", "ucontact-tray help"))
	return ExitUsage
}

// help prints the general help, or with a command's name that command's
// help: the same text its --help prints.
func (c *command) help(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.usage(c.Stdout)
		return ExitOK
	}
	if len(args) > 1 {
		c.fail(c.msg.T("usage.extra_args", "Args", strings.Join(args[1:], " ")))
		return ExitUsage
	}
	switch name := args[0]; name {
	case "login", "logout", "status", "break", "unbreak", "demo", "admin":
		return Run(ctx, []string{name, "--help"}, c.Env)
	case "version", "help":
		c.usage(c.Stdout)
		return ExitOK
	default:
		c.fail(c.msg.T("usage.no_such_command", "Command", name))
		c.fail(c.msg.T("usage.see_help", "Help", "ucontact-tray help"))
		return ExitUsage
	}
}

// isCommandFlag reports whether arg is a flag that is a command of its own
// (help, version); any other flag first is one of the tray app's.
func isCommandFlag(arg string) bool {
	switch arg {
	case "--version", "-h", "-help", "--help":
		return true
	}
	return false
}

// trayApp runs the tray app (the resident) with its flags.
func (c *command) trayApp(ctx context.Context, args []string) int {
	fs := c.flags("ucontact-tray")
	caFile := c.caFileFlag(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	return c.resident(ctx, *caFile, nil)
}

func (c *command) usage(w io.Writer) { fmt.Fprint(w, c.msg.T("usage")) }

// flags returns the flag set of the command name ("ucontact-tray" for the
// tray app). The flag package's own messages, in English and followed by
// every flag, are silenced: parseFlags says what is wrong in one line in
// the user's language, and --help prints the command's help.
func (c *command) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// commandHelp is the help of the command name: how it is used and what it
// does; "" for the tray app, whose help is the general one.
func (c *command) commandHelp(name string) string {
	switch name {
	case "login":
		return c.msg.T("help.login")
	case "logout":
		return c.msg.T("help.logout")
	case "status":
		return c.msg.T("help.status")
	case "break":
		return c.msg.T("help.break")
	case "unbreak":
		return c.msg.T("help.unbreak")
	case "demo":
		return c.msg.T("help.demo")
	}
	return ""
}

// printHelp prints the help of fs's command with its flags, each with its
// default value when it has one.
func (c *command) printHelp(fs *flag.FlagSet) {
	if strings.HasPrefix(fs.Name(), "admin ") {
		// The admin commands' flags are the installer's, documented
		// together in docs/admin.md.
		c.say(c.msg.T("admin.usage"))
		return
	}
	text := c.commandHelp(fs.Name())
	if text == "" {
		c.usage(c.Stdout)
		return
	}
	fmt.Fprintln(c.Stdout, text)
	fmt.Fprintln(c.Stdout)
	fmt.Fprintln(c.Stdout, c.msg.T("help.options"))
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(c.Stdout, "  --%s\n      %s", f.Name, f.Usage)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprint(c.Stdout, " ", c.msg.T("help.default", "Value", f.DefValue))
		}
		fmt.Fprintln(c.Stdout)
	})
}

// helpCommand is the command that prints the help of fs's command.
func helpCommand(fs *flag.FlagSet) string {
	switch name := fs.Name(); {
	case name == "ucontact-tray":
		return "ucontact-tray help"
	case strings.HasPrefix(name, "admin "):
		return "ucontact-tray admin help"
	default:
		return "ucontact-tray help " + name
	}
}

// parse parses args, and reports a usage error's exit code, or -1 to go on.
func (c *command) parse(fs *flag.FlagSet, args []string) int {
	if code := c.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		c.fail(c.msg.T("usage.extra_args", "Args", strings.Join(fs.Args(), " ")))
		return ExitUsage
	}
	return -1
}

// parseFlags is parse for a command that takes arguments besides its flags:
// they are left in fs.Args.
func (c *command) parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printHelp(fs)
			return ExitOK
		}
		c.fail(c.flagProblem(err, helpCommand(fs)))
		return ExitUsage
	}
	return -1
}

// flagProblem is the one line that says what is wrong with a flag, and
// which command prints the help. The flag package's errors are plain
// strings, so their fixed beginnings are what tells them apart.
func (c *command) flagProblem(err error, help string) string {
	msg := err.Error()
	named := func(prefix string) (string, bool) {
		name, ok := strings.CutPrefix(msg, prefix)
		return "--" + strings.TrimLeft(name, "-"), ok
	}
	if f, ok := named("flag provided but not defined: "); ok {
		return c.msg.T("usage.unknown_flag", "Flag", f, "Help", help)
	}
	if f, ok := named("flag needs an argument: "); ok {
		return c.msg.T("usage.flag_needs_value", "Flag", f, "Help", help)
	}
	if raw, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return c.msg.T("usage.bad_flag", "Flag", raw, "Help", help)
	}
	// "invalid value %q for flag -%s: …", "invalid boolean value %q for -%s: …"
	if _, rest, ok := strings.Cut(msg, " for "); ok && strings.HasPrefix(msg, "invalid ") {
		name, _, _ := strings.Cut(strings.TrimPrefix(rest, "flag "), ":")
		return c.msg.T("usage.bad_flag_value", "Flag", "--"+strings.TrimLeft(name, "-"), "Help", help)
	}
	return c.msg.T("usage.bad_flag", "Flag", msg, "Help", help)
}

// stateDir is where the session record and, without a keyring, the token
// file are kept.
func (c *command) stateDir() (string, error) {
	dir, err := c.ConfigDir()
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNoConfigDir, err)
	}
	return filepath.Join(dir, "ucontact-tray"), nil
}

// errNoConfigDir means the user's configuration directory is unknown (no
// HOME): there is nowhere safe to keep the session record.
var errNoConfigDir = errors.New("no configuration directory")

func (c *command) openManager(ctx context.Context, t trust, log *slog.Logger) (*session.Manager, error) {
	dir, err := c.stateDir()
	if err != nil {
		return nil, err
	}
	return session.Open(ctx, session.Config{
		Dir:     dir,
		Secrets: secrets.NewStore(c.Keyring, dir),
		Client: func(u *url.URL) *ucontact.Client {
			return ucontact.NewClient(u, ucontact.Options{UserAgent: "ucontact-tray/" + c.Version, CallTimeout: c.callTimeout(), RootCAs: t.pool, Logger: log})
		},
		Holder:       session.HolderCommand,
		Log:          log,
		KeyringLabel: messages.KeyringLabel(c.msg),
	})
}

func (c *command) callTimeout() time.Duration {
	if c.CallTimeout > 0 {
		return c.CallTimeout
	}
	return defaultCallTimeout
}

func (c *command) say(s string) { fmt.Fprintln(c.Stdout, s) }
func (c *command) fail(s string) {
	if c.told[s] {
		return
	}
	if c.told == nil {
		c.told = map[string]bool{}
	}
	c.told[s] = true
	fmt.Fprintln(c.Stderr, s)
}

// warn tells the user about a problem that did not stop the command.
func (c *command) warn(s session.Snapshot) {
	for _, line := range messages.Warnings(c.msg, s) {
		c.fail(line)
	}
}
