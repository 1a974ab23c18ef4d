package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
)

// Client talks to the resident. Each call opens its own connection, so a
// Client is safe for concurrent use and never holds a stale one.
type Client struct {
	path string
	// user is who the resident must run as: nothing is sent to a socket
	// of anyone else's.
	user func() (userID, error)
}

// NewClient returns a client for the socket at path (see SocketPath). It
// talks only to a resident of the current user's, and fails with a
// ForeignError otherwise.
func NewClient(path string) *Client { return &Client{path: path, user: currentUser} }

// Status returns the resident's session state.
func (c *Client) Status(ctx context.Context) (Status, error) {
	resp, err := c.call(ctx, Request{Op: OpStatus})
	return statusOr(resp, err)
}

// Login asks the resident to open a session and waits for the outcome.
func (c *Client) Login(ctx context.Context, req LoginRequest) (Status, error) {
	resp, err := c.call(ctx, Request{Op: OpLogin, Login: &req})
	return statusOr(resp, err)
}

// CancelLogin asks the resident to give up the login under way, and
// returns the status after: a login that had ended already is left as it
// ended.
func (c *Client) CancelLogin(ctx context.Context) (Status, error) {
	resp, err := c.call(ctx, Request{Op: OpCancelLogin})
	return statusOr(resp, err)
}

// Logout asks the resident to end the session and waits for the outcome.
func (c *Client) Logout(ctx context.Context) (Status, error) {
	resp, err := c.call(ctx, Request{Op: OpLogout})
	return statusOr(resp, err)
}

// StartBreak asks the resident to put the agent on the break of motive,
// and waits for the server's answer.
func (c *Client) StartBreak(ctx context.Context, motive string) (Status, error) {
	resp, err := c.call(ctx, Request{Op: OpBreak, Break: &BreakRequest{Motive: motive}})
	return statusOr(resp, err)
}

// EndBreak asks the resident to end the agent's break, and waits for the
// server's answer.
func (c *Client) EndBreak(ctx context.Context) (Status, error) {
	resp, err := c.call(ctx, Request{Op: OpUnbreak})
	return statusOr(resp, err)
}

// Show asks the resident to show its window.
func (c *Client) Show(ctx context.Context) error {
	resp, err := c.call(ctx, Request{Op: OpShow})
	if err != nil {
		return err
	}
	return resp.Error.err()
}

// Info returns what the window needs to prefill its form.
func (c *Client) Info(ctx context.Context) (Info, error) {
	resp, err := c.call(ctx, Request{Op: OpInfo})
	if err != nil {
		return Info{}, err
	}
	if resp.Info == nil {
		return Info{}, errors.New("control socket: answer without info")
	}
	return *resp.Info, nil
}

// ChangeSettings asks the resident to change settings and apply them.
func (c *Client) ChangeSettings(ctx context.Context, req SettingsRequest) error {
	resp, err := c.call(ctx, Request{Op: OpSettings, Settings: &req})
	if err != nil {
		return err
	}
	return resp.Error.err()
}

// Quit asks the resident to end the session, if any, and stop.
func (c *Client) Quit(ctx context.Context) error {
	_, err := c.call(ctx, Request{Op: OpQuit})
	return err
}

// Event is one message of a watch stream.
type Event struct {
	Status *Status
	Raise  bool
	// NoTray, when set, is why no tray icon can be shown now, "" when one
	// can (see Info.NoTray).
	NoTray *string
	// Quitting is the stream's last event when the resident stops, as
	// opposed to its going away.
	Quitting bool
}

// Watch streams the resident's state: the current status and tray first,
// then every change, and raise requests. The channel closes when ctx ends or the
// resident goes away.
func (c *Client) Watch(ctx context.Context) (<-chan Event, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(conn).Encode(Request{Op: OpWatch}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	events := make(chan Event)
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	go func() {
		defer close(events)
		dec := json.NewDecoder(bufio.NewReader(conn))
		for {
			var resp Response
			if err := dec.Decode(&resp); err != nil {
				return
			}
			select {
			case events <- Event{Status: resp.Status, Raise: resp.Raise, NoTray: resp.NoTray, Quitting: resp.Quitting}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return events, nil
}

func (c *Client) call(ctx context.Context, req Request) (Response, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return Response{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return Response{}, notAnswering(ctx, err)
	}
	var resp Response
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&resp); err != nil {
		return Response{}, notAnswering(ctx, err)
	}
	return resp, nil
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	user, err := c.user()
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", c.path, err)
	}
	conn, err := dial(ctx, c.path, user)
	switch {
	case err == nil:
		return conn, nil
	case errors.Is(err, ErrForeignSocket):
		return nil, err
	case noResident(err):
		return nil, ErrNoResident
	case ctx.Err() != nil:
		return nil, notAnswering(ctx, err)
	}
	return nil, fmt.Errorf("control socket %s: %w", c.path, err)
}

// notAnswering is the error of a call the tray app did not see through:
// the caller's deadline passed, or the connection broke. A caller that
// cancelled gets its own context's error.
func notAnswering(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	// err is not wrapped: a deadline would read as the uContact server's
	// timeout, and it is the tray app that did not answer.
	return fmt.Errorf("control socket: %w (%v)", ErrNotAnswering, err)
}

func statusOr(resp Response, err error) (Status, error) {
	if err != nil {
		return Status{}, err
	}
	var st Status
	if resp.Status != nil {
		st = *resp.Status
	}
	return st, resp.Error.err()
}
