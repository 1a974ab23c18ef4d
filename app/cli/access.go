package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/logfile"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// access is the session as a command sees it: through the running tray app
// when there is one (so its tray updates at once), directly otherwise.
type access interface {
	Snapshot() session.Snapshot
	Login(ctx context.Context, req session.LoginRequest) error
	Logout(ctx context.Context) error
	StartBreak(ctx context.Context, motive string) error
	EndBreak(ctx context.Context) error
	Close()
}

// openAccess asks the resident first, and opens the session itself when
// none is running. op names a command that calls the server ("login",
// "logout", "break"…; "" for status): acting on its own, it logs what it does to the
// commands' log file; through the resident, a --ca-file must be the one
// the resident uses. caFile is the --ca-file given, if any: a session
// opened here trusts it, else the ca_file setting.
func (c *command) openAccess(ctx context.Context, op, caFile string) (access, error) {
	var t trust
	if caFile != "" {
		// A wrong file is a usage error whoever makes the calls.
		var err error
		if t, err = loadTrust(caFile); err != nil {
			return nil, err
		}
	}
	dir, err := c.socketDir()
	if err == nil {
		client := control.NewClient(control.SocketPath(dir))
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		var st control.Status
		st, err = client.Status(sctx)
		cancel()
		if err == nil {
			if op != "" && caFile != "" {
				if err := checkResidentTrust(ctx, client, t); err != nil {
					return nil, err
				}
			}
			return &remote{client: client, last: st.Snapshot()}, nil
		}
	}
	switch {
	case errors.Is(err, control.ErrNoResident):
	case errors.Is(err, control.ErrForeignSocket):
		// Nothing was sent to it; the user is told why the tray app, if
		// one runs, does not follow.
		c.fail(messages.Describe(c.msg, err, session.Snapshot{}))
		c.fail(c.msg.T("command.on_its_own"))
	case dir == "":
		// No folder for a socket: no tray app can be running either.
	default:
		return nil, err
	}
	var unread error // settings that could not be read, reported below
	if caFile == "" {
		dir, err := c.stateDir()
		if err != nil {
			return nil, err
		}
		// Settings that cannot be read never stop a command: a session may
		// have to be ended. It goes on with the defaults, and says so.
		var s settings.Settings
		if s, unread = settings.Load(dir); unread != nil {
			c.fail(messages.SettingsProblem(c.msg, unread))
		}
		if t, err = settingsTrust(dir, s); err != nil {
			return nil, err
		}
	}
	// A status, which scripts may ask for every minute, is not logged.
	log, closeLog := slog.New(slog.DiscardHandler), func() {}
	if op != "" {
		log, _, closeLog = c.logger(logfile.Commands, nil) // not on the user's terminal
		log.Info("command", "op", op, "version", c.Version, "pid", os.Getpid(), "ca_file", t.file)
		if unread != nil {
			log.Warn("settings not read; using the defaults", "err", unread)
		}
	}
	m, err := c.openManager(ctx, t, log)
	if err != nil {
		log.Warn("command failed", "op", op, "err", err)
		closeLog()
		return nil, err
	}
	return direct{Manager: m, closeLog: closeLog}, nil
}

// socketDir is the folder of the tray app's control socket (see
// control.Dir).
func (c *command) socketDir() (string, error) {
	cache := c.CacheDir
	if cache == nil {
		cache = os.UserCacheDir
	}
	return control.DirFor(c.Getenv, cache)
}

// direct is the session manager in this process.
type direct struct {
	*session.Manager
	closeLog func()
}

func (d direct) Close() {
	d.Manager.Close()
	d.closeLog()
}

// remote is the resident's session, over the control socket.
type remote struct {
	client *control.Client
	last   session.Snapshot
}

func (r *remote) Snapshot() session.Snapshot { return r.last }

func (r *remote) Login(ctx context.Context, req session.LoginRequest) error {
	st, err := r.client.Login(ctx, control.LoginRequest{
		Server: req.Server, User: req.User, Password: req.Password, Kind: req.Kind, Remember: req.Remember,
	})
	r.keep(st)
	return err
}

func (r *remote) Logout(ctx context.Context) error {
	st, err := r.client.Logout(ctx)
	r.keep(st)
	return err
}

func (r *remote) StartBreak(ctx context.Context, motive string) error {
	st, err := r.client.StartBreak(ctx, motive)
	r.keep(st)
	return err
}

func (r *remote) EndBreak(ctx context.Context) error {
	st, err := r.client.EndBreak(ctx)
	r.keep(st)
	return err
}

func (r *remote) keep(st control.Status) {
	if st.State != "" {
		r.last = st.Snapshot()
	}
}

func (r *remote) Close() {}
