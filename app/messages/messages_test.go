package messages

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// Every error the session can report has its own sentence, in both
// languages, and names the server where it matters.
func TestEveryErrorHasItsOwnSentence(t *testing.T) {
	snap := session.Snapshot{Server: "https://acme.ucontactcloud.com", User: "ana"}
	errs := []error{
		ucontact.ErrWrongCredentials, fmt.Errorf("%w: x", ucontact.ErrInvalidServer),
		session.ErrEmptyUser, session.ErrEmptyPassword, session.ErrInvalidKind,
		session.ErrAlreadyLoggedIn, session.ErrNotLoggedIn, session.ErrLogoutPending,
		session.ErrBusy, session.ErrTokenLost, session.ErrStoringSession, session.ErrClosed,
		session.ErrLoginInterrupted, session.ErrorFromCode(session.CodeDamagedRecord, "unexpected end of JSON input"),
		&ucontact.RedirectError{Location: "https://evil.example"},
		&ucontact.CertificateError{Host: "acme.example", Issuer: "Acme CA", Problem: ucontact.UnknownAuthority, Err: errors.New("x")},
		&ucontact.CertificateError{Host: "acme.example", Issuer: "Acme CA", Problem: ucontact.WrongHost, Err: errors.New("x")},
		&ucontact.CertificateError{Host: "acme.example", Issuer: "Acme CA", Problem: ucontact.InvalidCertificate, Err: errors.New("x")},
		&ucontact.CAFileError{Path: "/etc/ca.pem", Problem: ucontact.CAFileMissing},
		&ucontact.CAFileError{Path: "/etc/ca.pem", Problem: ucontact.CAFileUnreadable, Err: errors.New("is a directory")},
		&ucontact.CAFileError{Path: "/etc/ca.pem", Problem: ucontact.CAFileUnreadable, Err: fs.ErrPermission},
		&ucontact.CAFileError{Path: "/etc/ca.pem", Problem: ucontact.CAFileTooLarge},
		&ucontact.CAFileError{Path: "/etc/ca.pem", Problem: ucontact.CAFileNoCertificates},
		&ucontact.CAFileError{Path: "/etc/ca.pem", Problem: ucontact.CAFileBadCertificate},
		&ucontact.StatusError{Status: 503},
		&ucontact.NetworkError{Timeout: true, Err: errors.New("x")},
		&ucontact.NetworkError{Err: errors.New("x")},
		&ucontact.ProtocolError{Detail: "x"},
		ucontact.ErrRefused, secrets.ErrTimeout, secrets.ErrUnavailable, context.Canceled,
		&settings.LockedError{Setting: "server", Value: "https://acme.ucontactcloud.com"},
		&settings.LockedError{Setting: "kind", Value: "agent"},
		&settings.LockedError{Setting: "autostart"},
		&settings.LockedError{Setting: "autostart", Value: settings.AllUsers},
		&settings.LockedError{Setting: "logout_on_suspend"},
		control.ErrNoResident, fmt.Errorf("control socket: %w (i/o timeout)", control.ErrNotAnswering),
		&control.ForeignError{Path: "/run/user/1000/ucontact-tray/control.sock", Owner: "uid 1001"},
		&control.ForeignError{Path: "/run/user/1000/ucontact-tray/control.sock", Err: errors.New("x")},
	}
	for _, lang := range []string{i18n.Spanish, i18n.English} {
		c := i18n.MustNew(lang)
		unexpected := strings.SplitN(c.T("err.unexpected"), "{{", 2)[0]
		seen := map[string]error{}
		for _, err := range errs {
			msg := Describe(c, err, snap)
			if strings.HasPrefix(msg, unexpected) || strings.Contains(msg, "{{") {
				t.Errorf("%s: %v has no sentence of its own: %q", lang, err, msg)
			}
			if other, dup := seen[msg]; dup {
				t.Errorf("%s: %v and %v share %q", lang, err, other, msg)
			}
			seen[msg] = err
		}
		if msg := Describe(c, &ucontact.NetworkError{Err: errors.New("x")}, snap); !strings.Contains(msg, "acme") {
			t.Errorf("%s: the server is not named: %q", lang, msg)
		}
	}
}

// errorArgs and warningArgs are arguments for the kinds of code that take
// one, for an error or a warning of each kind as a process that got it from
// another sees it.
var (
	errorArgs = map[session.Code]string{
		session.CodeRedirect:    "https://evil.example/",
		session.CodeCertificate: "host=acme.example&issuer=Acme+CA&problem=unknown-authority",
		session.CodeStatus:      "503",
		session.CodeLocked:      "server:https://acme.ucontactcloud.com",
	}
	warningArgs = map[session.Code]string{
		session.CodeDamagedRecord: "/home/ana/.config/ucontact-tray/session.json.damaged",
	}
)

var messageID = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

// Every code an error or a warning can cross processes with has a sentence
// of its own in every language: a code added to the session's table
// without one fails here.
func TestEveryCodeHasASentence(t *testing.T) {
	snap := session.Snapshot{Server: "https://acme.ucontactcloud.com", User: "ana", TokenFile: "/home/ana/t.token"}
	code := func(kind session.Code, args map[session.Code]string) session.Code {
		if arg, ok := args[kind]; ok {
			return kind.With(arg)
		}
		return kind
	}
	es, en := i18n.MustNew(i18n.Spanish), i18n.MustNew(i18n.English)
	check := func(what string, describe func(*i18n.Catalog) string) {
		t.Helper()
		var msgs []string
		for _, c := range []*i18n.Catalog{es, en} {
			unexpected := strings.SplitN(c.T("err.unexpected"), "{{", 2)[0]
			msg := describe(c)
			if strings.HasPrefix(msg, unexpected) || strings.Contains(msg, "{{") || messageID.MatchString(msg) {
				t.Errorf("%s, %s: no sentence of its own: %q", c.Lang(), what, msg)
			}
			msgs = append(msgs, msg)
		}
		if msgs[0] == msgs[1] { // the English catalog fell back to Spanish
			t.Errorf("%s: the same in both languages: %q", what, msgs[0])
		}
	}
	for _, kind := range session.ErrorKinds() {
		err := session.ErrorFromCode(code(kind, errorArgs), "text")
		if got := session.ErrorCode(err); got != code(kind, errorArgs) {
			t.Errorf("%q came back as %q", code(kind, errorArgs), got)
		}
		check(string(kind), func(c *i18n.Catalog) string { return Describe(c, err, snap) })
	}
	for _, kind := range session.WarningKinds() {
		w := session.WarningFromCodes([]session.Code{code(kind, warningArgs)}, "text")
		check("warning "+string(kind), func(c *i18n.Catalog) string {
			lines := Warnings(c, session.Snapshot{Warning: w, TokenFile: snap.TokenFile})
			if len(lines) != 1 {
				return fmt.Sprint(lines)
			}
			return lines[0]
		})
	}
	for kind := range errorArgs {
		if !slices.Contains(session.ErrorKinds(), kind) {
			t.Errorf("%q is no error code", kind)
		}
	}
	for kind := range warningArgs {
		if !slices.Contains(session.WarningKinds(), kind) {
			t.Errorf("%q is no warning code", kind)
		}
	}
}

// The presets' LockedError, which the session layer does not know, crosses
// processes as the session's locked code and reads the same on the other
// side.
func TestLockedErrorCrossesProcesses(t *testing.T) {
	c := i18n.MustNew(i18n.English)
	for _, le := range []*settings.LockedError{
		{Setting: settings.KeyServer, Value: "https://acme.ucontactcloud.com"},
		{Setting: settings.KeyKind, Value: "agent"},
		{Setting: settings.KeyAutostart},
		{Setting: settings.KeyAutostart, Value: settings.AllUsers},
	} {
		code := session.ErrorCode(le)
		if code.Kind() != session.CodeLocked {
			t.Errorf("%+v: code %q", le, code)
		}
		remote := session.ErrorFromCode(code, le.Error())
		if here, there := Describe(c, le, session.Snapshot{}), Describe(c, remote, session.Snapshot{}); here != there {
			t.Errorf("%+v: %q here, %q from the resident", le, here, there)
		}
	}
}

// An untrusted certificate is explained with the host and its issuer, also
// when the error crossed from another process; an unknown authority comes
// with the way to trust it. Nothing suggests turning the check off.
func TestCertificateMessages(t *testing.T) {
	local := &ucontact.CertificateError{Op: "getUserToken", Host: "uc.acme.local", Issuer: "Acme Root CA", Problem: ucontact.UnknownAuthority, Err: errors.New("x509: unknown authority")}
	remote := session.ErrorFromCode(session.ErrorCode(local), local.Error())
	for _, lang := range []string{i18n.Spanish, i18n.English} {
		c := i18n.MustNew(lang)
		for name, err := range map[string]error{"here": local, "from the resident": remote} {
			msg := Describe(c, err, session.Snapshot{Server: "https://uc.acme.local"})
			for _, want := range []string{"uc.acme.local", "Acme Root CA", "--ca-file", "ca_file"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s, %s: %q lacks %q", lang, name, msg, want)
				}
			}
			for _, never := range []string{"insecure", "inseguro", "desactiv", "disable", "turn off", "skip"} {
				if strings.Contains(strings.ToLower(msg), never) {
					t.Errorf("%s, %s: %q suggests turning verification off", lang, name, msg)
				}
			}
		}
	}
	if msg := Describe(i18n.MustNew(i18n.Spanish), &ucontact.CertificateError{Host: "h"}, session.Snapshot{}); !strings.Contains(msg, "emisor desconocido") {
		t.Errorf("no issuer: %q", msg)
	}
}

// A CA file that cannot be used is named in the message.
func TestCAFileMessagesNameTheFile(t *testing.T) {
	for _, p := range []ucontact.CAFileProblem{ucontact.CAFileMissing, ucontact.CAFileUnreadable, ucontact.CAFileTooLarge, ucontact.CAFileNoCertificates, ucontact.CAFileBadCertificate} {
		for _, lang := range []string{i18n.Spanish, i18n.English} {
			err := fmt.Errorf("loading: %w", &ucontact.CAFileError{Path: "/etc/acme/ca.pem", Problem: p, Err: errors.New("x")})
			if msg := Describe(i18n.MustNew(lang), err, session.Snapshot{}); !strings.Contains(msg, "/etc/acme/ca.pem") {
				t.Errorf("%s, %s: %q does not name the file", lang, p, msg)
			}
		}
	}
}

func TestWarnings(t *testing.T) {
	c := i18n.MustNew(i18n.Spanish)
	s := session.Snapshot{
		TokenFile: "/home/ana/.config/ucontact-tray/t.token",
		Warning:   errors.Join(fmt.Errorf("%w: x", session.ErrTokenInFile), session.ErrPasswordNotSaved),
	}
	lines := Warnings(c, s)
	if len(lines) != 2 || !strings.Contains(strings.Join(lines, "\n"), s.TokenFile) {
		t.Errorf("lines %q", lines)
	}
	if Warnings(c, session.Snapshot{}) != nil {
		t.Error("warnings without a warning")
	}
	// A damaged record kept in place names no place it was set aside in.
	lines = Warnings(c, session.Snapshot{Warning: &session.DamagedRecordError{Err: errors.New("x")}})
	if len(lines) != 1 || strings.Contains(lines[0], "apartado") {
		t.Errorf("a damaged record kept in place: %q", lines)
	}
	// A record left on disk is not blamed on the keyring.
	lines = Warnings(c, session.Snapshot{Warning: fmt.Errorf("%w (x): read-only file system", session.ErrRecordNotRemoved)})
	if len(lines) != 1 || !strings.Contains(lines[0], "registro") || strings.Contains(lines[0], "llavero") {
		t.Errorf("a record that could not be removed: %q", lines)
	}
}

// What earns a session the attention icon is said in words, also once the
// snapshot has crossed the control socket, as the window gets it.
func TestAttention(t *testing.T) {
	c := i18n.MustNew(i18n.Spanish)
	loggedIn := session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com"}
	tokenInFile, unreadable, notSaved := loggedIn, loggedIn, loggedIn
	tokenInFile.TokenFile = "/home/ana/.local/state/ucontact-tray/token"
	unreadable.Warning = fmt.Errorf("%w: no keyring", session.ErrTokenUnreadable)
	notSaved.Warning = session.ErrPasswordNotSaved
	pending := session.Snapshot{State: session.LogoutPending, User: "ana", Server: "https://acme.ucontactcloud.com",
		LastError: &ucontact.StatusError{Op: "ending session", Status: 503}}
	for _, tc := range []struct {
		name string
		s    session.Snapshot
		want string
	}{
		{"token in a file", tokenInFile, c.T("tray.no_keyring")},
		{"token unreadable", unreadable, c.T("warn.token_unreadable")},
		{"fine", loggedIn, ""},
		{"a warning that needs no attention", notSaved, ""},
		{"a pending logout: why it failed", pending, Describe(c, pending.LastError, pending)},
	} {
		if got := Attention(c, tc.s); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if got := Attention(c, control.StatusOf(tc.s).Snapshot()); got != tc.want {
			t.Errorf("%s, across the socket: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestServerName(t *testing.T) {
	for in, want := range map[string]string{
		"https://acme.ucontactcloud.com": "acme",
		"https://uc.example.com:8443":    "uc.example.com:8443",
		"not a url":                      "not a url",
	} {
		if got := ServerName(in); got != want {
			t.Errorf("ServerName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every problem of a presets file has its own sentence, in both languages,
// naming the file and the line.
func TestPresetProblems(t *testing.T) {
	const file = "/etc/ucontact-tray/presets.conf"
	text := "server acme\npassword = x\nserver =\nserver = http://x.example\nkind = boss\n" +
		"autostart = maybe\nkind = user\nkind = agent\nlock = user, logout_on_suspend\n" +
		"logout_when_locked_after = 15 minutes\nlogout_when_idle_after = 30s\nlogout_at = 25:00\n"
	problems := settings.ParsePresets(file, []byte(text)).Problems
	problems = append(problems,
		settings.Problem{File: file, Code: settings.ProblemUnreadable, Value: "permission denied"},
		settings.Problem{File: file, Code: settings.ProblemTooLarge},
		settings.Problem{File: file, Code: settings.ProblemEncoding},
	)
	if len(problems) != 15 {
		t.Fatalf("%d problems, want 15: %v", len(problems), problems)
	}
	for _, lang := range []string{i18n.Spanish, i18n.English} {
		c := i18n.MustNew(lang)
		seen := map[string]bool{}
		for _, p := range problems {
			msg := PresetProblem(c, p)
			if !strings.Contains(msg, file) || strings.Contains(msg, "{{") || seen[msg] {
				t.Errorf("%s: %+v: %q", lang, p, msg)
			}
			seen[msg] = true
			if line := fmt.Sprint(p.Line); p.Line > 0 && !strings.Contains(msg, " "+line+")") {
				t.Errorf("%s: %q does not name line %s", lang, msg, line)
			}
		}
	}
	want := "Configuración del administrador (/etc/ucontact-tray/presets.conf, línea 5): «boss» no es un tipo de sesión válido (user o agent); se ignora la línea."
	if got := PresetProblem(i18n.MustNew(i18n.Spanish), problems[4]); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	want = "Configuración del administrador (/etc/ucontact-tray/presets.conf, línea 11): «30s» no es un valor válido para logout_when_idle_after (una duración de al menos 1m, como 15m o 1h, o 0 para nunca); se ignora la línea."
	if got := PresetProblem(i18n.MustNew(i18n.Spanish), problems[10]); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// Settings that cannot be read have a sentence in each language that names
// the file, and where a damaged one was set aside.
func TestSettingsProblem(t *testing.T) {
	const path = "/home/ana/.config/ucontact-tray/settings.json"
	problems := []error{
		&settings.DamagedError{Path: path, SetAside: path + ".damaged", Err: errors.New("unexpected end of JSON input")},
		&settings.DamagedError{Path: path, Err: errors.New("unexpected end of JSON input")},
		fmt.Errorf("reading settings: %w", &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}),
	}
	for _, lang := range []string{i18n.Spanish, i18n.English} {
		c := i18n.MustNew(lang)
		seen := map[string]bool{}
		for _, err := range problems {
			msg := SettingsProblem(c, err)
			if !strings.Contains(msg, path) || strings.Contains(msg, "{{") || seen[msg] {
				t.Errorf("%s: %v: %q", lang, err, msg)
			}
			seen[msg] = true
		}
	}
	want := "El archivo de configuración " + path + " estaba dañado: se ha apartado como " + path + ".damaged y se usan los valores predeterminados."
	if got := SettingsProblem(i18n.MustNew(i18n.Spanish), problems[0]); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// A socket of another user's is named, with its owner, and the user is
// told that nothing was sent to it; never as a tray app that is not
// running.
func TestForeignSocketMessages(t *testing.T) {
	path := "/tmp/shared/ucontact-tray/control.sock"
	owned := fmt.Errorf("asking the tray app: %w", &control.ForeignError{Path: path, Owner: "uid 1001"})
	unverified := &control.ForeignError{Path: path, Err: errors.New("getsockopt: bad file descriptor")}
	for lang, want := range map[string][2]string{
		i18n.Spanish: {"otro usuario", "no se ha usado ni se le ha enviado nada"},
		i18n.English: {"another user", "it was not used, and nothing was sent to it"},
	} {
		c := i18n.MustNew(lang)
		msg := Describe(c, owned, session.Snapshot{})
		for _, w := range []string{path, "uid 1001", want[0], want[1]} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", lang, msg, w)
			}
		}
		msg = Describe(c, unverified, session.Snapshot{})
		for _, w := range []string{path, want[1]} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", lang, msg, w)
			}
		}
		if msg == Describe(c, control.ErrNoResident, session.Snapshot{}) {
			t.Errorf("%s: reads as no tray app", lang)
		}
	}
}
