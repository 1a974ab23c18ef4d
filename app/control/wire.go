// Package control is the local socket between the resident tray process and
// its clients: the login window and the commands (login, logout, status,
// break…). The resident owns the session; clients ask it to act and watch
// its state, so the tray updates at once whatever started an action.
//
// The protocol is one JSON object per line: a Request, then one Response
// (or, for "watch", a Response per change until the client hangs up). The
// socket lives in a 0700 directory of the user's (see Dir), is itself 0600,
// and each end checks that the other runs as the same user where the
// system says (peer credentials; on Windows, the pipe server's SID):
// passwords cross it.
package control

import (
	"time"

	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
)

// Operations a client can ask for.
const (
	OpLogin = "login"
	// OpCancelLogin gives up the login under way (see
	// session.Manager.CancelLogin); its answer is the status after.
	OpCancelLogin = "cancel-login"
	OpLogout      = "logout"
	OpStatus      = "status"
	OpShow        = "show"  // show the login/session window
	OpWatch       = "watch" // stream status changes
	OpInfo        = "info"  // what the window needs to prefill its form
	OpQuit        = "quit"  // end the session if open, then stop the resident
	// OpSettings changes a setting that takes effect at once.
	OpSettings = "settings"
	// OpBreak puts the agent on a break, OpUnbreak ends it.
	OpBreak   = "break"
	OpUnbreak = "unbreak"
)

// Request is what a client sends.
type Request struct {
	Op       string           `json:"op"`
	Login    *LoginRequest    `json:"login,omitempty"`
	Settings *SettingsRequest `json:"settings,omitempty"`
	Break    *BreakRequest    `json:"break,omitempty"`
}

// BreakRequest is the break an agent asks for: one of those configured on
// the server.
type BreakRequest struct {
	Motive string `json:"motive"`
}

// LoginRequest carries what the user typed. The password crosses the socket
// only; it is never logged.
type LoginRequest struct {
	Server   string       `json:"server"`
	User     string       `json:"user"`
	Password string       `json:"password,omitempty"`
	Kind     session.Kind `json:"kind"`
	Remember bool         `json:"remember,omitempty"`
	// UseSavedPassword logs in with the password remembered in the keyring.
	UseSavedPassword bool `json:"use_saved_password,omitempty"`
}

// SettingsRequest changes the settings that are set; the rest stay.
type SettingsRequest struct {
	// Autostart starts the app with the system, or stops doing so.
	Autostart *bool `json:"autostart,omitempty"`
}

// Response is what the resident answers.
type Response struct {
	Status *Status `json:"status,omitempty"`
	Info   *Info   `json:"info,omitempty"`
	Error  *Error  `json:"error,omitempty"`
	// Raise, on a watch stream, asks the window to come to the front.
	Raise bool `json:"raise,omitempty"`
	// Quitting, on a watch stream, is its last message when the resident
	// stops: the stream's end is then no failure.
	Quitting bool `json:"quitting,omitempty"`
	// NoTray, on a watch stream, is why no tray icon can be shown ("" when
	// one is): in the stream's first message, and again at each change.
	NoTray *string `json:"no_tray,omitempty"`
}

// Error is an error on the wire: its session.ErrorCode and its text.
type Error struct {
	Code    session.Code `json:"code"`
	Message string       `json:"message"`
}

// Info is what the window needs besides the status.
type Info struct {
	// The last login's choices, to prefill the form.
	Server   string       `json:"server,omitempty"`
	User     string       `json:"user,omitempty"`
	Kind     session.Kind `json:"kind,omitempty"`
	Remember bool         `json:"remember,omitempty"`
	// SavedPassword says a password is remembered for Server and User.
	SavedPassword bool `json:"saved_password,omitempty"`
	// KeyringError is the session.ErrorCode of why passwords cannot be
	// remembered; empty when the keyring works.
	KeyringError session.Code `json:"keyring_error,omitempty"`
	// Demo is set when the resident runs against the demo server.
	Demo *DemoAccount `json:"demo,omitempty"`
	// NoTray is set when no tray icon can be shown: "no-bus" or "no-host".
	NoTray  string `json:"no_tray,omitempty"`
	Version string `json:"version,omitempty"`
	// Locked are the settings the administrator fixed; Server and Kind
	// then hold the fixed values.
	Locked settings.Locks `json:"locked,omitzero"`
	// PresetProblems are what could not be used of the administrator's
	// presets file.
	PresetProblems []settings.Problem `json:"preset_problems,omitempty"`
	// Autostart says whether the app starts with the system; nil when the
	// resident cannot arrange it (demo mode).
	Autostart *bool `json:"autostart,omitempty"`
	// AutostartForAllUsers says the administrator starts the app for every
	// user of the computer; Locked.Autostart is then set too.
	AutostartForAllUsers bool `json:"autostart_for_all_users,omitempty"`
	// CAFile is the file of extra certificates the resident trusts the
	// server with; empty for the system's alone.
	CAFile string `json:"ca_file,omitempty"`
	// LogPath is the resident's log file, for support; empty if none.
	LogPath string `json:"log_path,omitempty"`
	// Recovered is the session a crash left open that the resident ended
	// when it started; nil if none, or once a new session was opened.
	Recovered *RecoveredSession `json:"recovered,omitempty"`
}

// RecoveredSession is a session found open at start, left by a tray app
// that crashed, and ended then.
type RecoveredSession struct {
	User   string `json:"user"`
	Server string `json:"server"`
}

// DemoAccount is the demo server and its credentials, shown in the window.
type DemoAccount struct {
	Server   string `json:"server"`
	User     string `json:"user"`
	Password string `json:"password"`
}

// Status is a session snapshot on the wire; `status --json` prints it too.
// It holds nothing secret.
type Status struct {
	State         string         `json:"state"`
	User          string         `json:"user,omitempty"`
	Server        string         `json:"server,omitempty"`
	Kind          session.Kind   `json:"kind,omitempty"`
	Since         *time.Time     `json:"since,omitempty"`
	Extension     string         `json:"extension,omitempty"`
	LogoutPending bool           `json:"logout_pending"`
	PendingSince  *time.Time     `json:"pending_since,omitempty"`
	Attempts      int            `json:"attempts,omitempty"`
	NextRetry     *time.Time     `json:"next_retry,omitempty"`
	LastError     string         `json:"last_error,omitempty"`
	LastErrorCode session.Code   `json:"last_error_code,omitempty"`
	Warning       string         `json:"warning,omitempty"`
	WarningCodes  []session.Code `json:"warning_codes,omitempty"`
	SecretStore   string         `json:"secret_store,omitempty"` // "keyring" or "file"
	TokenFile     string         `json:"token_file,omitempty"`
	// Break is the break the agent is on, absent when not on one.
	Break *Break `json:"break,omitempty"`
	// NoBreaks says the server has no breaks: none is offered.
	NoBreaks bool `json:"no_breaks"`
}

// Break is a break on the wire (see session.Break).
type Break struct {
	Motive string    `json:"motive"`
	Since  time.Time `json:"since"`
}

// StatusOf puts a snapshot on the wire.
func StatusOf(s session.Snapshot) Status {
	st := Status{State: s.State.String(), LogoutPending: s.State == session.LogoutPending}
	if s.State != session.LoggedOut {
		st.User, st.Server, st.Kind, st.Extension = s.User, s.Server, s.Kind, s.Extension
		st.Since = timePtr(s.Since)
		st.SecretStore, st.TokenFile = "keyring", s.TokenFile
		if s.TokenFile != "" {
			st.SecretStore = "file"
		}
		if s.Break != nil {
			st.Break = &Break{Motive: s.Break.Motive, Since: s.Break.Since}
		}
		st.NoBreaks = s.NoBreaks
	}
	if st.LogoutPending {
		st.PendingSince, st.Attempts = timePtr(s.PendingSince), s.Attempts
		st.NextRetry = timePtr(s.NextRetry)
	}
	if s.LastError != nil {
		st.LastError, st.LastErrorCode = s.LastError.Error(), session.ErrorCode(s.LastError)
	}
	if s.Warning != nil {
		st.Warning, st.WarningCodes = s.Warning.Error(), session.WarningCodes(s.Warning)
	}
	return st
}

// Snapshot takes a snapshot off the wire.
func (st Status) Snapshot() session.Snapshot {
	state, _ := session.ParseState(st.State) // an unknown state reads as logged out
	s := session.Snapshot{
		State: state, User: st.User, Server: st.Server, Kind: st.Kind,
		Since: timeOf(st.Since), Extension: st.Extension, PendingSince: timeOf(st.PendingSince),
		Attempts: st.Attempts, NextRetry: timeOf(st.NextRetry), TokenFile: st.TokenFile,
		NoBreaks: st.NoBreaks,
	}
	if st.Break != nil {
		s.Break = &session.Break{Motive: st.Break.Motive, Since: st.Break.Since}
	}
	if st.LastError != "" || st.LastErrorCode != "" {
		s.LastError = session.ErrorFromCode(st.LastErrorCode, st.LastError)
	}
	s.Warning = session.WarningFromCodes(st.WarningCodes, st.Warning)
	return s
}

func errorOf(err error) *Error {
	if err == nil {
		return nil
	}
	return &Error{Code: session.ErrorCode(err), Message: err.Error()}
}

func (e *Error) err() error {
	if e == nil {
		return nil
	}
	return session.ErrorFromCode(e.Code, e.Message)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
