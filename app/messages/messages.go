// Package messages explains the session's errors and warnings to a person,
// in their language. The tray, the window and the command line share it.
package messages

import (
	"errors"
	"io/fs"
	"strings"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
)

// Describe is one sentence about err. server is the base URL of the server
// involved, if any.
func Describe(c *i18n.Catalog, err error, s session.Snapshot) string {
	// The tray app, not the uContact server, is the one that did not answer.
	switch {
	case errors.Is(err, control.ErrNoResident):
		return c.T("err.tray_not_running")
	case errors.Is(err, control.ErrNotAnswering):
		return c.T("err.tray_not_answering")
	}
	if fe := (*control.ForeignError)(nil); errors.As(err, &fe) {
		if fe.Owner == "" {
			return c.T("err.foreign_socket_unverified", "Path", fe.Path)
		}
		return c.T("err.foreign_socket", "Path", fe.Path, "Owner", fe.Owner)
	}
	if fe := (*ucontact.CAFileError)(nil); errors.As(err, &fe) {
		return describeCAFile(c, fe)
	}
	server := ServerName(s.Server)
	kind, arg, _ := strings.Cut(session.ErrorCode(err), ":")
	switch kind {
	case "wrong-credentials":
		return c.T("err.wrong_credentials")
	case "invalid-server":
		return c.T("err.invalid_server")
	case "empty-user":
		return c.T("err.empty_user")
	case "empty-password":
		return c.T("err.empty_password")
	case "invalid-kind":
		return c.T("err.invalid_kind")
	case "already-logged-in":
		return c.T("err.already_logged_in", "User", s.User, "Server", server)
	case "not-logged-in":
		return c.T("err.not_logged_in")
	case "logout-pending":
		return c.T("err.logout_pending", "User", s.User, "Server", server)
	case "busy":
		return c.T("err.busy")
	case "token-lost":
		return c.T("err.token_lost")
	case "storing":
		return c.T("err.storing", "Reason", err.Error())
	case "login-interrupted":
		return c.T("err.login_interrupted")
	case "damaged-record":
		return c.T("err.damaged_record")
	case "locked":
		return locked(c, arg)
	case "redirect":
		return c.T("err.redirect", "Server", server, "Location", arg)
	case "certificate":
		var ce *ucontact.CertificateError
		errors.As(err, &ce) // the code says it is one
		return describeCertificate(c, ce)
	case "status":
		return c.T("err.server_status", "Server", server, "Status", arg)
	case "timeout":
		return c.T("err.timeout", "Server", server)
	case "unreachable":
		return c.T("err.unreachable", "Server", server)
	case "protocol":
		return c.T("err.protocol", "Server", server)
	case "refused":
		return c.T("err.refused")
	case "keyring-timeout":
		return c.T("err.keyring_timeout")
	case "keyring":
		return c.T("err.keyring_unavailable")
	case "cancelled":
		return c.T("err.cancelled")
	case "closed":
		return c.T("err.closed")
	}
	return c.T("err.unexpected", "Reason", err.Error())
}

func locked(c *i18n.Catalog, arg string) string {
	setting, value, _ := strings.Cut(arg, ":")
	switch setting {
	case settings.KeyServer:
		return c.T("err.locked_server", "Server", ServerName(value))
	case settings.KeyKind:
		return c.T("err.locked_kind", "Kind", KindName(c, session.Kind(value)))
	case settings.KeyAutostart:
		if value == session.AllUsers {
			return c.T("err.locked_autostart_all_users")
		}
		return c.T("err.locked_autostart")
	}
	return c.T("err.locked", "Setting", setting)
}

// PresetProblem is one sentence about a problem of the administrator's
// presets file, naming the file and the line for whoever has to fix it.
func PresetProblem(c *i18n.Catalog, p settings.Problem) string {
	var what string
	switch p.Code {
	case settings.ProblemUnreadable:
		what = c.T("presets.unreadable", "Reason", p.Value)
	case settings.ProblemTooLarge:
		what = c.T("presets.too_large")
	case settings.ProblemEncoding:
		what = c.T("presets.encoding")
	case settings.ProblemSyntax:
		what = c.T("presets.syntax", "Text", p.Value)
	case settings.ProblemUnknownKey:
		what = c.T("presets.unknown_key", "Key", p.Key)
	case settings.ProblemBadValue:
		switch {
		case p.Value == "":
			what = c.T("presets.empty_value", "Key", p.Key)
		case p.Key == settings.KeyServer:
			what = c.T("presets.bad_server", "Value", p.Value)
		case p.Key == settings.KeyKind:
			what = c.T("presets.bad_kind", "Value", p.Value)
		default:
			what = c.T("presets.bad_bool", "Key", p.Key, "Value", p.Value)
		}
	case settings.ProblemDuplicate:
		what = c.T("presets.duplicate", "Key", p.Key)
	case settings.ProblemLockUnknown:
		what = c.T("presets.lock_unknown", "Key", p.Key)
	case settings.ProblemLockUnset:
		what = c.T("presets.lock_unset", "Key", p.Key)
	default:
		what = p.Error()
	}
	if p.Line == 0 {
		return c.T("presets.file", "File", p.File, "Problem", what)
	}
	return c.T("presets.line", "File", p.File, "Line", p.Line, "Problem", what)
}

// SettingsProblem is one sentence about the user's settings file that
// could not be read (settings.Load's error), naming it: the defaults are
// used instead, and what the user was doing goes on.
func SettingsProblem(c *i18n.Catalog, err error) string {
	var de *settings.DamagedError
	if errors.As(err, &de) {
		if de.SetAside == "" {
			return c.T("settings.damaged_in_place", "Path", de.Path)
		}
		return c.T("settings.damaged", "Path", de.Path, "SetAside", de.SetAside)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return c.T("settings.unreadable", "Path", pe.Path, "Reason", pe.Err)
	}
	return c.T("settings.unreadable", "Path", "settings.json", "Reason", err)
}

// describeCertificate names the host and who issued its certificate, and
// says what can be done: for an unknown authority, getting its certificate
// from the administrator. There is no way to turn the check off, and no
// message suggests one.
func describeCertificate(c *i18n.Catalog, ce *ucontact.CertificateError) string {
	issuer := ce.Issuer
	if issuer == "" {
		issuer = c.T("err.certificate_unknown_issuer")
	}
	id := "err.certificate"
	switch ce.Problem {
	case ucontact.WrongHost:
		id = "err.certificate_host"
	case ucontact.InvalidCertificate:
		id = "err.certificate_invalid"
	}
	return c.T(id, "Host", ce.Host, "Issuer", issuer)
}

func describeCAFile(c *i18n.Catalog, fe *ucontact.CAFileError) string {
	switch fe.Problem {
	case ucontact.CAFileMissing:
		return c.T("cafile.missing", "Path", fe.Path)
	case ucontact.CAFileTooLarge:
		return c.T("cafile.too_large", "Path", fe.Path)
	case ucontact.CAFileNoCertificates:
		return c.T("cafile.no_certificates", "Path", fe.Path)
	case ucontact.CAFileBadCertificate:
		return c.T("cafile.bad_certificate", "Path", fe.Path)
	}
	if errors.Is(fe, fs.ErrPermission) {
		return c.T("cafile.permission", "Path", fe.Path)
	}
	return c.T("cafile.unreadable", "Path", fe.Path, "Reason", fe.Err)
}

// Warnings are the sentences about a snapshot's Warning, if any.
func Warnings(c *i18n.Catalog, s session.Snapshot) []string {
	if s.Warning == nil {
		return nil
	}
	var lines []string
	for _, code := range session.WarningCodes(s.Warning) {
		kind, arg, _ := strings.Cut(code, ":")
		switch kind {
		case "damaged-record":
			if arg == "" { // kept in place, for the keyring to answer
				lines = append(lines, c.T("warn.damaged_record_kept"))
				continue
			}
			lines = append(lines, c.T("warn.damaged_record", "Path", arg))
		case "token-lost":
			lines = append(lines, c.T("err.token_lost"))
		case "token-in-file":
			lines = append(lines, c.T("warn.token_file", "Path", s.TokenFile))
		case "password-not-saved":
			lines = append(lines, c.T("warn.password_not_saved"))
		case "token-not-deleted":
			lines = append(lines, c.T("warn.token_not_deleted"))
		case "record-not-removed":
			lines = append(lines, c.T("warn.record_not_removed"))
		case "token-unreadable":
			lines = append(lines, c.T("warn.token_unreadable"))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, c.T("err.unexpected", "Reason", s.Warning.Error()))
	}
	return lines
}

// Attention is the problem that earns a session the attention icon while
// it is fine, in one sentence, or "" if there is none: the tray shows it in
// its tooltip, the window under the session's state. (A pending logout
// earns the icon too; the tray and the window each say so their own way.)
func Attention(c *i18n.Catalog, s session.Snapshot) string {
	switch {
	case s.TokenFile != "":
		return c.T("tray.no_keyring")
	case errors.Is(s.Warning, session.ErrTokenUnreadable):
		return c.T("warn.token_unreadable")
	}
	return ""
}

// ServerName is how a server's base URL is shown: "acme" for a cloud
// instance, the host otherwise.
func ServerName(server string) string {
	u, err := ucontact.ParseServer(server)
	if err != nil {
		return server
	}
	return ucontact.DisplayName(u)
}

// KindName is the session kind in words.
func KindName(c *i18n.Catalog, k session.Kind) string {
	if k == session.KindAgent {
		return c.T("kind.agent")
	}
	return c.T("kind.user")
}
