package cli

import (
	"context"
	"errors"

	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// describe turns an error into one line in the user's language and the exit
// code it stands for. s is the session it happened to, for names in the text.
func (c *command) describe(err error, s session.Snapshot) (string, int) {
	server := c.serverName(s.Server)
	var (
		status   *ucontact.StatusError
		network  *ucontact.NetworkError
		protocol *ucontact.ProtocolError
		redirect *ucontact.RedirectError
		cert     *ucontact.CertificateError
	)
	switch {
	case errors.Is(err, ucontact.ErrWrongCredentials):
		return c.msg.T("err.wrong_credentials"), ExitCredentials
	case errors.Is(err, ucontact.ErrInvalidServer):
		return c.msg.T("err.invalid_server"), ExitUsage
	case errors.Is(err, session.ErrEmptyUser):
		return c.msg.T("err.empty_user"), ExitUsage
	case errors.Is(err, session.ErrEmptyPassword):
		return c.msg.T("err.empty_password"), ExitUsage
	case errors.Is(err, session.ErrInvalidKind):
		return c.msg.T("err.invalid_kind"), ExitUsage
	case errors.Is(err, session.ErrAlreadyLoggedIn):
		return c.msg.T("err.already_logged_in", "User", s.User, "Server", server), ExitNothingToDo
	case errors.Is(err, session.ErrNotLoggedIn):
		return c.msg.T("err.not_logged_in"), ExitNothingToDo
	case errors.Is(err, session.ErrLogoutPending):
		return c.msg.T("err.logout_pending", "User", s.User, "Server", server), ExitServer
	case errors.Is(err, session.ErrBusy):
		return c.msg.T("err.busy"), ExitUnexpected
	case errors.Is(err, session.ErrTokenLost):
		return c.msg.T("err.token_lost"), ExitUnexpected
	case errors.Is(err, session.ErrStoringSession):
		return c.msg.T("err.storing", "Reason", err.Error()), ExitUnexpected
	case errors.As(err, &redirect):
		return c.msg.T("err.redirect", "Server", server, "Location", redirect.Location), ExitServer
	case errors.As(err, &cert):
		return c.msg.T("err.certificate", "Host", cert.Host), ExitServer
	case errors.As(err, &status):
		return c.msg.T("err.server_status", "Server", server, "Status", status.Status), ExitServer
	case errors.As(err, &network) && network.Timeout, errors.Is(err, context.DeadlineExceeded):
		return c.msg.T("err.timeout", "Server", server), ExitServer
	case errors.As(err, &network):
		return c.msg.T("err.unreachable", "Server", server), ExitServer
	case errors.As(err, &protocol):
		return c.msg.T("err.protocol", "Server", server), ExitServer
	case errors.Is(err, ucontact.ErrRefused):
		return c.msg.T("err.refused"), ExitServer
	case errors.Is(err, secrets.ErrTimeout):
		return c.msg.T("err.keyring_timeout"), ExitUnexpected
	case errors.Is(err, secrets.ErrUnavailable):
		return c.msg.T("err.keyring_unavailable"), ExitUnexpected
	case errors.Is(err, errNoConfigDir):
		return c.msg.T("err.no_config_dir"), ExitUnexpected
	case errors.Is(err, context.Canceled):
		return c.msg.T("err.cancelled"), ExitUnexpected
	}
	return c.msg.T("err.unexpected", "Reason", err.Error()), ExitUnexpected
}

// warnings turns a snapshot's warning into lines in the user's language.
func (c *command) warnings(s session.Snapshot) []string {
	var lines []string
	var damaged *session.DamagedRecordError
	switch {
	case errors.As(s.Warning, &damaged):
		lines = append(lines, c.msg.T("warn.damaged_record", "Path", damaged.SetAside))
	case errors.Is(s.Warning, session.ErrTokenLost):
		lines = append(lines, c.msg.T("err.token_lost"))
	}
	if s.TokenFile != "" && errors.Is(s.Warning, session.ErrTokenInFile) {
		lines = append(lines, c.msg.T("warn.token_file", "Path", s.TokenFile))
	}
	if errors.Is(s.Warning, session.ErrPasswordNotSaved) {
		lines = append(lines, c.msg.T("warn.password_not_saved"))
	}
	if errors.Is(s.Warning, session.ErrTokenNotDeleted) {
		lines = append(lines, c.msg.T("warn.token_not_deleted"))
	}
	if errors.Is(s.Warning, session.ErrTokenUnreadable) {
		lines = append(lines, c.msg.T("warn.token_unreadable"))
	}
	if len(lines) == 0 {
		lines = append(lines, c.msg.T("err.unexpected", "Reason", s.Warning.Error()))
	}
	return lines
}

// serverName is how a server's base URL is shown: "acme" for a cloud
// instance, the host otherwise.
func (c *command) serverName(server string) string {
	u, err := ucontact.ParseServer(server)
	if err != nil {
		return server
	}
	return ucontact.DisplayName(u)
}

func (c *command) kindName(k session.Kind) string {
	if k == session.KindAgent {
		return c.msg.T("kind.agent")
	}
	return c.msg.T("kind.user")
}
