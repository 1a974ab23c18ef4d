package cli

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// demoAddr is where the demo server listens by default. A fixed port lets a
// demo session left open by a previous run be ended by the next one (the
// new server no longer knows its token and says so).
const demoAddr = "127.0.0.1:47800"

// maxPassword bounds what --password-stdin reads.
const maxPassword = 1024

func (c *command) login(ctx context.Context, args []string) int {
	fs := c.flags("login")
	user := fs.String("user", "", c.msg.T("flag.user"))
	domain := fs.String("domain", "", c.msg.T("flag.domain"))
	server := fs.String("server", "", c.msg.T("flag.server"))
	kind := fs.String("kind", string(session.KindUser), c.msg.T("flag.kind"))
	fromStdin := fs.Bool("password-stdin", false, c.msg.T("flag.password_stdin"))
	remember := fs.Bool("remember", false, c.msg.T("flag.remember"))
	caFile := c.caFileFlag(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	// The administrator's presets stand in for --server and --kind, and
	// what they lock cannot be asked for otherwise.
	preset := settings.Merge(c.presets(), settings.Settings{})
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case *domain != "" && *server != "":
		c.fail(c.msg.T("usage.server_or_domain"))
		return ExitUsage
	case *domain == "" && *server == "" && preset.Server == "":
		c.fail(c.msg.T("usage.need_server"))
		return ExitUsage
	case strings.TrimSpace(*user) == "":
		c.fail(c.msg.T("usage.need_user"))
		return ExitUsage
	}
	if !given["kind"] && preset.Kind != "" {
		*kind = string(preset.Kind)
	}
	k, err := ucontact.ParseKind(*kind)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	// A --domain is an instance name only; a URL there is a mistake.
	target := cmp.Or(*server, preset.Server)
	if *domain != "" {
		if strings.Contains(*domain, "/") {
			return c.report(fmt.Errorf("%w: --domain takes an instance name", ucontact.ErrInvalidServer), session.Snapshot{})
		}
		target = *domain
	}
	if err := preset.Conflict(target, k); err != nil {
		return c.report(err, session.Snapshot{})
	}

	password, code := c.password(*fromStdin, *user)
	if code >= 0 {
		return code
	}
	m, err := c.openAccess(ctx, "login", *caFile)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	defer m.Close()
	c.warn(m.Snapshot())

	ctx, cancel := context.WithTimeout(ctx, c.callTimeout())
	defer cancel()
	req := session.LoginRequest{Server: target, User: *user, Password: password, Kind: k, Remember: *remember}
	if err := m.Login(ctx, req); err != nil {
		s := m.Snapshot()
		if s.Server == "" { // a failed login leaves no session: name the one tried
			if u, perr := ucontact.ParseServer(target); perr == nil {
				s.Server = u.String()
			}
		}
		return c.report(err, s)
	}
	s := m.Snapshot()
	if s.Kind == session.KindAgent {
		c.say(c.msg.T("login.done_agent", "User", s.User, "Server", messages.ServerName(s.Server), "Extension", s.Extension))
	} else {
		c.say(c.msg.T("login.done", "User", s.User, "Server", messages.ServerName(s.Server), "Kind", messages.KindName(c.msg, s.Kind)))
	}
	c.warn(s)
	return ExitOK
}

// password reads the password from standard input or the terminal. It
// returns an exit code >= 0 when the command must stop.
func (c *command) password(fromStdin bool, user string) (string, int) {
	if fromStdin {
		r := bufio.NewReader(io.LimitReader(c.Stdin, maxPassword+2))
		line, err := r.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", c.report(err, session.Snapshot{})
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if len(line) > maxPassword {
			c.fail(c.msg.T("usage.password_too_long"))
			return "", ExitUsage
		}
		if line == "" {
			return "", c.report(session.ErrEmptyPassword, session.Snapshot{})
		}
		return line, -1
	}
	if c.ReadPassword == nil {
		c.fail(c.msg.T("usage.no_terminal"))
		return "", ExitUsage
	}
	pw, err := c.ReadPassword(c.msg.T("prompt.password", "User", user))
	if err != nil {
		return "", c.report(err, session.Snapshot{})
	}
	if pw == "" {
		return "", c.report(session.ErrEmptyPassword, session.Snapshot{})
	}
	return pw, -1
}

func (c *command) logout(ctx context.Context, args []string) int {
	fs := c.flags("logout")
	caFile := c.caFileFlag(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	return c.onSession(ctx, "logout", *caFile, func(ctx context.Context, m access, before session.Snapshot) int {
		if err := m.Logout(ctx); err != nil {
			after := m.Snapshot()
			if after.State == session.LogoutPending {
				reason, code := c.describe(err, after)
				if code != ExitServer {
					// This computer, not the network, is in the way (a keyring
					// that does not answer): say so, with its own exit code.
					c.fail(c.msg.T("logout.pending_local", "Reason", reason))
					return code
				}
				c.fail(c.msg.T("logout.pending", "Reason", reason))
				return ExitServer
			}
			return c.report(err, before)
		}
		c.say(c.msg.T("logout.done", "User", before.User, "Server", messages.ServerName(before.Server)))
		c.warn(m.Snapshot())
		return ExitOK
	})
}

// startBreak puts the agent on the break named by the one argument: one of
// those configured on the server, which is never guessed.
func (c *command) startBreak(ctx context.Context, args []string) int {
	fs := c.flags("break")
	caFile := c.caFileFlag(fs)
	if code := c.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		c.fail(c.msg.T("usage.one_motive", "Args", strings.Join(fs.Args(), " ")))
		return ExitUsage
	}
	motive := fs.Arg(0)
	if strings.TrimSpace(motive) == "" {
		c.fail(c.msg.T("usage.need_motive"))
		return ExitUsage
	}
	return c.breakCall(ctx, "break", *caFile,
		func(ctx context.Context, m access) error { return m.StartBreak(ctx, motive) },
		func(session.Snapshot) string { return c.msg.T("break.done", "Motive", motive) })
}

// endBreak ends the agent's break.
func (c *command) endBreak(ctx context.Context, args []string) int {
	fs := c.flags("unbreak")
	caFile := c.caFileFlag(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	return c.breakCall(ctx, "unbreak", *caFile,
		func(ctx context.Context, m access) error { return m.EndBreak(ctx) },
		func(before session.Snapshot) string {
			// The break ended is the one the session had: the manager ends
			// no other.
			var motive string
			if before.Break != nil {
				motive = before.Break.Motive
			}
			return c.msg.T("unbreak.done", "Motive", motive)
		})
}

// breakCall makes the call of the command op on the session, and says
// done's sentence, made from the session as it was before, when it is
// made.
func (c *command) breakCall(ctx context.Context, op, caFile string, call func(context.Context, access) error, done func(before session.Snapshot) string) int {
	return c.onSession(ctx, op, caFile, func(ctx context.Context, m access, before session.Snapshot) int {
		if err := call(ctx, m); err != nil {
			return c.report(err, m.Snapshot())
		}
		c.say(done(before))
		c.warn(m.Snapshot())
		return ExitOK
	})
}

// onSession opens the session for the command op (through the tray app
// when it runs), says its warnings, and runs call on it within the call
// timeout; call's result is the exit code.
func (c *command) onSession(ctx context.Context, op, caFile string, call func(ctx context.Context, m access, before session.Snapshot) int) int {
	m, err := c.openAccess(ctx, op, caFile)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	defer m.Close()
	before := m.Snapshot()
	c.warn(before)
	ctx, cancel := context.WithTimeout(ctx, c.callTimeout())
	defer cancel()
	return call(ctx, m, before)
}

// statusJSON is `status --json`: the control socket's status, with stable
// field names for scripts, whether the tray app is running, where the
// state is kept, and for support the version and the tray app's log file.
type statusJSON struct {
	control.Status
	TrayAppRunning bool   `json:"tray_app_running"`
	StateDir       string `json:"state_dir"`
	Version        string `json:"version"`
	LogFile        string `json:"log_file,omitempty"`
}

func (c *command) status(ctx context.Context, args []string) int {
	fs := c.flags("status")
	asJSON := fs.Bool("json", false, c.msg.T("flag.json"))
	// Accepted so that a script can give every command the same options;
	// status calls no server.
	caFile := c.caFileFlag(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	m, err := c.openAccess(ctx, "", *caFile)
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	defer m.Close()
	s := m.Snapshot()
	// The session came through the control socket only if the tray app
	// answered there.
	_, running := m.(*remote)
	if *asJSON {
		return c.printJSON(s, running)
	}
	switch s.State {
	case session.LoggedOut:
		c.say(c.msg.T("status.logged_out"))
	case session.LogoutPending:
		c.say(c.msg.T("status.pending", "User", s.User, "Server", messages.ServerName(s.Server),
			"PendingSince", messages.Since(c.msg, s.PendingSince, time.Now()), "Attempts", s.Attempts))
		if s.LastError != nil {
			reason, _ := c.describe(s.LastError, s)
			c.say(c.msg.T("status.last_error", "Reason", reason))
		}
	default:
		c.say(c.msg.T("status.logged_in", "User", s.User, "Server", messages.ServerName(s.Server), "Since", messages.Since(c.msg, s.Since, time.Now())))
		if s.Break != nil {
			c.say(c.msg.T("status.on_break", "Motive", s.Break.Motive, "Since", messages.Since(c.msg, s.Break.Since, time.Now())))
		}
	}
	if s.State != session.LoggedOut {
		c.say(c.msg.T("status.kind", "Kind", messages.KindName(c.msg, s.Kind)))
		if s.Extension != "" {
			c.say(c.msg.T("status.extension", "Extension", s.Extension))
		}
		if s.NoBreaks {
			c.say(c.msg.T("err.no_breaks", "Server", messages.ServerName(s.Server)))
		}
		if s.TokenFile != "" {
			c.say(c.msg.T("status.store_file", "Path", s.TokenFile))
		} else {
			c.say(c.msg.T("status.store_keyring"))
		}
	}
	if running {
		c.say(c.msg.T("status.tray_app_running"))
	} else {
		c.say(c.msg.T("status.tray_app_not_running"))
	}
	c.say(c.msg.T("status.version", "Version", c.Version))
	if path := c.trayAppLog(); path != "" {
		c.say(c.msg.T("status.log", "Path", path))
	}
	c.warn(s)
	return ExitOK
}

// statusTime is how status shows a moment: in local time, to the minute.
func (c *command) printJSON(s session.Snapshot, trayAppRunning bool) int {
	dir, _ := c.stateDir() // the session opened, so it is known
	enc := json.NewEncoder(c.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(statusJSON{Status: control.StatusOf(s), TrayAppRunning: trayAppRunning, StateDir: dir, Version: c.Version, LogFile: c.trayAppLog()}); err != nil {
		return c.report(err, s)
	}
	return ExitOK
}

func (c *command) demo(ctx context.Context, args []string) int {
	fs := c.flags("demo")
	addr := fs.String("addr", demoAddr, c.msg.T("flag.addr"))
	serverOnly := fs.Bool("server-only", false, c.msg.T("flag.server_only"))
	caFile := c.caFileFlag(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	srv := fake.NewDemo()
	url, err := srv.Listen(*addr)
	if addrInUse(err) {
		// Most likely a demo started before, still running: there is
		// nothing to do but use it, or stop it first.
		c.fail(c.msg.T("demo.port_in_use", "Addr", *addr))
		return ExitNothingToDo
	}
	if err != nil {
		return c.report(err, session.Snapshot{})
	}
	defer srv.Close()
	c.say(c.msg.T("demo.listening", "URL", url, "User", fake.DemoUser, "Password", fake.DemoPassword, "Program", c.program()))
	if !*serverOnly {
		return c.resident(ctx, *caFile, &control.DemoAccount{Server: url, User: fake.DemoUser, Password: fake.DemoPassword})
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	c.say(c.msg.T("demo.stopped"))
	return ExitOK
}

// report prints err in the user's language and returns its exit code.
func (c *command) report(err error, s session.Snapshot) int {
	msg, code := c.describe(err, s)
	c.fail(msg)
	return code
}

// program is how to run this program again from a shell, as the hints that
// show a command line write it: its own path, since it is often not on the
// PATH (bin/ of a checkout), quoted when the shell would split it.
func (c *command) program() string {
	path := c.Executable
	if path == "" {
		return "ucontact-tray"
	}
	if strings.ContainsFunc(path, func(r rune) bool { return !isShellSafe(r) }) {
		return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
	}
	return path
}

// isShellSafe reports whether r stands for itself in a POSIX shell word.
func isShellSafe(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%=", r)
}

// addrInUse reports whether a listen failed because the address is taken.
// Windows' sockets say so with their own number (WSAEADDRINUSE), which
// syscall.EADDRINUSE does not match there.
func addrInUse(err error) bool {
	const wsaEADDRINUSE = syscall.Errno(10048)
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, wsaEADDRINUSE)
}
