package cli

import (
	"context"
	"errors"
	"time"

	"ucontact-tray/session"
	"ucontact-tray/session/control"
)

// access is the session as a command sees it: through the running tray app
// when there is one (so its tray updates at once), directly otherwise.
type access interface {
	Snapshot() session.Snapshot
	Login(ctx context.Context, req session.LoginRequest) error
	Logout(ctx context.Context) error
	Close()
}

// openAccess asks the resident first, and opens the session itself when
// none is running. caFile is the --ca-file given, if any: a session opened
// here trusts it (else the ca_file setting), and a command that calls the
// server through the resident (calls) needs the resident to use it too.
func (c *command) openAccess(ctx context.Context, caFile string, calls bool) (access, error) {
	var t trust
	if caFile != "" {
		// A wrong file is a usage error whoever makes the calls.
		var err error
		if t, err = loadTrust(caFile); err != nil {
			return nil, err
		}
	}
	if dir, err := control.Dir(c.Getenv); err == nil {
		client := control.NewClient(control.SocketPath(dir))
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := client.Status(sctx)
		cancel()
		if err == nil {
			if calls && caFile != "" {
				if err := checkResidentTrust(ctx, client, t); err != nil {
					return nil, err
				}
			}
			return &remote{client: client, last: st.Snapshot()}, nil
		}
		if !errors.Is(err, control.ErrNoResident) {
			return nil, err
		}
	}
	if caFile == "" {
		var err error
		if t, err = c.settingsTrust(); err != nil {
			return nil, err
		}
	}
	m, err := c.openManager(ctx, t)
	if err != nil {
		return nil, err
	}
	return direct{m}, nil
}

// direct is the session manager in this process.
type direct struct{ *session.Manager }

// remote is the resident's session, over the control socket.
type remote struct {
	client *control.Client
	last   session.Snapshot
}

func (r *remote) Snapshot() session.Snapshot { return r.last }

func (r *remote) Login(ctx context.Context, req session.LoginRequest) error {
	st, err := r.client.Login(ctx, control.LoginRequest{
		Server: req.Server, User: req.User, Password: req.Password, Kind: string(req.Kind), Remember: req.Remember,
	})
	r.keep(st)
	return err
}

func (r *remote) Logout(ctx context.Context) error {
	st, err := r.client.Logout(ctx)
	r.keep(st)
	return err
}

func (r *remote) keep(st control.Status) {
	if st.State != "" {
		r.last = st.Snapshot()
	}
}

func (r *remote) Close() {}
