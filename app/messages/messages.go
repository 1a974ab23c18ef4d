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

// Attention is why the session needs the user's attention (the tray's
// orange icon) in one sentence, or "" when nothing does: the failure that
// left a logout pending, or a problem that remains while the session is
// fine (no keyring, say).
func Attention(c *i18n.Catalog, s session.Snapshot) string {
	switch {
	case s.State == session.LogoutPending && s.LastError != nil:
		return Describe(c, s.LastError, s)
	case s.TokenFile != "":
		return c.T("tray.no_keyring")
	case errors.Is(s.Warning, session.ErrTokenUnreadable):
		return c.T("warn.token_unreadable")
	}
	return ""
}

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
	code := session.ErrorCode(err)
	switch code.Kind() {
	case "":
		return c.T("err.unexpected", "Reason", err.Error())
	case session.CodeLocked:
		return locked(c, settings.LockedFromArg(code.Arg()))
	case session.CodeCertificate:
		var ce *ucontact.CertificateError
		errors.As(err, &ce) // the code says it is one
		return describeCertificate(c, ce)
	}
	// The catalogs hold one sentence per code, "err." and the code with
	// underscores (TestEveryCodeHasASentence): a new code needs only its
	// sentences. Each gets what any of them may name.
	id := "err." + strings.ReplaceAll(string(code.Kind()), "-", "_")
	if !c.Has(id) {
		return c.T("err.unexpected", "Reason", err.Error())
	}
	return c.T(id, "User", s.User, "Server", ServerName(s.Server), "Detail", code.Arg(), "Reason", err.Error())
}

func locked(c *i18n.Catalog, le *settings.LockedError) string {
	switch le.Setting {
	case settings.KeyServer:
		return c.T("err.locked_server", "Server", ServerName(le.Value))
	case settings.KeyKind:
		return c.T("err.locked_kind", "Kind", KindName(c, session.Kind(le.Value)))
	case settings.KeyAutostart:
		if le.Value == settings.AllUsers {
			return c.T("err.locked_autostart_all_users")
		}
		return c.T("err.locked_autostart")
	}
	return c.T("err.locked", "Setting", le.Setting)
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
		case p.Key == settings.KeyLogoutWhenLockedAfter:
			what = c.T("presets.bad_limit", "Key", p.Key, "Value", p.Value)
		case p.Key == settings.KeyLogoutWhenIdleAfter:
			what = c.T("presets.bad_idle_limit", "Key", p.Key, "Value", p.Value)
		case p.Key == settings.KeyLogoutAt:
			what = c.T("presets.bad_clock", "Key", p.Key, "Value", p.Value)
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
		// As for errors: "warn." and the code, in every catalog.
		id := "warn." + strings.ReplaceAll(string(code.Kind()), "-", "_")
		path := code.Arg()
		switch {
		case code.Kind() == session.CodeTokenInFile:
			path = s.TokenFile
		case code.Kind() == session.CodeDamagedRecord && path == "":
			id = "warn.damaged_record_kept" // for the keyring to answer
		}
		if c.Has(id) {
			lines = append(lines, c.T(id, "Path", path))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, c.T("err.unexpected", "Reason", s.Warning.Error()))
	}
	return lines
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
