package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// ownCode is an error of a type above this package that names its code,
// as the presets' LockedError does.
type ownCode string

func (c ownCode) Error() string     { return "fixed by the administrator" }
func (c ownCode) ErrorCode() string { return string(c) }

// codedErrors are, for every kind of error code, errors of that kind.
func codedErrors() map[Code][]error {
	return map[Code][]error{
		CodeWrongCredentials: {fmt.Errorf("x: %w", ucontact.ErrWrongCredentials)},
		CodeInvalidServer:    {fmt.Errorf("%w: x", ucontact.ErrInvalidServer)},
		CodeEmptyUser:        {ErrEmptyUser},
		CodeEmptyPassword:    {ErrEmptyPassword},
		CodeInvalidKind:      {fmt.Errorf("%w: %q", ErrInvalidKind, "boss")},
		CodeAlreadyLoggedIn:  {ErrAlreadyLoggedIn},
		CodeNotLoggedIn:      {ErrNotLoggedIn},
		CodeLogoutPending:    {ErrLogoutPending},
		CodeBusy:             {ErrBusy},
		CodeTokenLost:        {ErrTokenLost},
		CodeStoring:          {fmt.Errorf("%w: %w", ErrStoringSession, secrets.ErrUnavailable)},
		CodeLoginInterrupted: {ErrLoginInterrupted},
		CodeLoginCancelled:   {ErrLoginCancelled},
		CodeDamagedRecord:    {fmt.Errorf("%w (session.json): unexpected end of JSON input", errCorruptRecord)},
		CodeClosed:           {ErrClosed},
		CodeRedirect:         {&ucontact.RedirectError{Op: "x", Location: "https://evil.example/a?b=c:d"}},
		CodeCertificate: {
			&ucontact.CertificateError{Op: "x", Host: "acme.example", Issuer: "Acme CA: Root & 1=2", Problem: ucontact.UnknownAuthority, Err: errors.New("unknown authority")},
			&ucontact.CertificateError{Op: "x", Host: "acme.example", Problem: ucontact.WrongHost, Err: errors.New("x")},
		},
		CodeStatus: {&ucontact.StatusError{Op: "EndSession", Status: 503}},
		CodeTimeout: {
			&ucontact.NetworkError{Op: "EndSession", Timeout: true, Err: context.DeadlineExceeded},
			fmt.Errorf("ending: %w", context.DeadlineExceeded),
		},
		CodeUnreachable:    {&ucontact.NetworkError{Op: "EndSession", Err: errors.New("connection refused")}},
		CodeProtocol:       {&ucontact.ProtocolError{Op: "x", Detail: "y"}},
		CodeRefused:        {fmt.Errorf("AgentLogoff: %w", ucontact.ErrRefused)},
		CodeSessionOver:    {fmt.Errorf("EndSession: %w", ucontact.ErrSessionOver)},
		CodeKeyringTimeout: {fmt.Errorf("%w: %w", secrets.ErrTimeout, context.DeadlineExceeded)},
		CodeKeyring:        {fmt.Errorf("%w: no bus", secrets.ErrUnavailable)},
		CodeCancelled:      {context.Canceled},
		CodeLocked:         {ownCode("locked:server:https://uc.example.com:8443"), ownCode("locked:autostart:")},
		CodeNotAgent:       {ErrNotAgent},
		CodeOnBreak:        {fmt.Errorf("%w (%q since 12:03:00)", ErrOnBreak, "Almuerzo")},
		CodeNotOnBreak:     {ErrNotOnBreak},
		CodeNoBreaks:       {fmt.Errorf("starting break: AgentBreak: %w", ucontact.ErrNoBreaks)},
		CodeNoMotive:       {fmt.Errorf("starting a break: %w", ucontact.ErrNoMotive)},
		CodeBreakRefused: {
			&BreakRefusedError{Motive: "Almuerzo", Err: fmt.Errorf("AgentBreak: %w", ucontact.ErrRefused)},
			&BreakRefusedError{Motive: "Capacitación: 2ª parte", Err: ucontact.ErrRefused},
		},
		CodeBreakEndRefused: {fmt.Errorf("x: %w", &BreakRefusedError{Motive: "Baño", End: true, Err: ucontact.ErrRefused})},
	}
}

// An error recorded or sent by one process is the same kind of error when
// the next one reads it, with the same code, so it can be explained in the
// user's language. A code added without an error here fails.
func TestEveryErrorCodeRoundTrips(t *testing.T) {
	examples := codedErrors()
	for _, kind := range ErrorKinds() {
		errs, ok := examples[kind]
		if !ok {
			t.Errorf("no example of code %q", kind)
		}
		delete(examples, kind)
		for _, err := range errs {
			code := ErrorCode(err)
			if code.Kind() != kind {
				t.Errorf("%v: code %q, want kind %q", err, code, kind)
				continue
			}
			back := ErrorFromCode(code, err.Error())
			if again := ErrorCode(back); again != code {
				t.Errorf("%v: code %q came back as %q (%T)", err, code, again, back)
			}
			// Only what session does not own the type of stays generic.
			if _, generic := back.(*CodedError); generic != (kind == CodeLocked) {
				t.Errorf("%v: came back as a %T", err, back)
			}
		}
	}
	for kind := range examples {
		t.Errorf("code %q is not in ErrorKinds", kind)
	}
	if code := ErrorCode(errors.New("other")); code != "" {
		t.Errorf("an unknown error got code %q", code)
	}
	if ErrorCode(nil) != "" {
		t.Error("no error got a code")
	}
}

// Codes written by the previous version, in sessions records and on the
// control socket, read as the same kind of error, and code back the same.
func TestOldCodesStillRead(t *testing.T) {
	is := func(target error) func(error) bool {
		return func(err error) bool { return errors.Is(err, target) }
	}
	status := func(n int) func(error) bool {
		return func(err error) bool { se, ok := errors.AsType[*ucontact.StatusError](err); return ok && se.Status == n }
	}
	network := func(timeout bool) func(error) bool {
		return func(err error) bool {
			ne, ok := errors.AsType[*ucontact.NetworkError](err)
			return ok && ne.Timeout == timeout
		}
	}
	cert := func(host, issuer string, problem ucontact.CertificateProblem) func(error) bool {
		return func(err error) bool {
			ce, ok := errors.AsType[*ucontact.CertificateError](err)
			return ok && ce.Host == host && ce.Issuer == issuer && ce.Problem == problem
		}
	}
	coded := func(kind Code, arg string) func(error) bool {
		return func(err error) bool {
			ce, ok := errors.AsType[*CodedError](err)
			return ok && ce.Code.Kind() == kind && ce.Code.Arg() == arg && ce.Text == "text"
		}
	}
	for _, tc := range []struct {
		code string
		ok   func(error) bool
	}{
		{"wrong-credentials", is(ucontact.ErrWrongCredentials)},
		{"invalid-server", is(ucontact.ErrInvalidServer)},
		{"empty-user", is(ErrEmptyUser)},
		{"empty-password", is(ErrEmptyPassword)},
		{"invalid-kind", is(ErrInvalidKind)},
		{"already-logged-in", is(ErrAlreadyLoggedIn)},
		{"not-logged-in", is(ErrNotLoggedIn)},
		{"logout-pending", is(ErrLogoutPending)},
		{"busy", is(ErrBusy)},
		{"token-lost", is(ErrTokenLost)},
		{"storing", is(ErrStoringSession)},
		{"login-interrupted", is(ErrLoginInterrupted)},
		{"login-cancelled", is(ErrLoginCancelled)},
		{"damaged-record", is(errCorruptRecord)},
		{"closed", is(ErrClosed)},
		{"refused", is(ucontact.ErrRefused)},
		{"session-over", is(ucontact.ErrSessionOver)},
		{"keyring-timeout", is(secrets.ErrTimeout)},
		{"keyring", is(secrets.ErrUnavailable)},
		{"cancelled", is(context.Canceled)},
		{"timeout", network(true)},
		{"unreachable", network(false)},
		{"protocol", func(err error) bool {
			pe, ok := errors.AsType[*ucontact.ProtocolError](err)
			return ok && pe.Detail == "text"
		}},
		{"status:503", status(503)},
		{"redirect:https://evil.example/a?b=c:d", func(err error) bool {
			re, ok := errors.AsType[*ucontact.RedirectError](err)
			return ok && re.Location == "https://evil.example/a?b=c:d"
		}},
		{"certificate:host=uc.example.com&issuer=Acme%3A+CA+%26+co%3D1&problem=wrong-host", cert("uc.example.com", "Acme: CA & co=1", ucontact.WrongHost)},
		{"certificate:host=uc.example.com&issuer=&problem=invalid", cert("uc.example.com", "", ucontact.InvalidCertificate)},
		// Written before the issuer was known: the host alone.
		{"certificate:uc.example.com", cert("uc.example.com", "", ucontact.UnknownAuthority)},
		{"locked:server:https://uc.example.com:8443", coded(CodeLocked, "server:https://uc.example.com:8443")},
		{"locked:kind:agent", coded(CodeLocked, "kind:agent")},
		{"locked:autostart:", coded(CodeLocked, "autostart:")},
		{"locked:autostart:all-users", coded(CodeLocked, "autostart:all-users")},
		// A newer version's code is kept, for a newer receiver.
		{"something-new:x", coded("something-new", "x")},
	} {
		err := ErrorFromCode(Code(tc.code), "text")
		if !tc.ok(err) {
			t.Errorf("%q read as %v (%T)", tc.code, err, err)
		}
		// A certificate of the host alone is written again in full.
		if again := ErrorCode(err); again != Code(tc.code) && tc.code != "certificate:uc.example.com" {
			t.Errorf("%q coded again as %q", tc.code, again)
		}
	}
	if err := ErrorFromCode("", "text"); err == nil || err.Error() != "text" || ErrorCode(err) != "" {
		t.Errorf("no code read as %v", err)
	}
}

// Every warning a snapshot can carry crosses a process boundary, in the
// previous version's strings. A warning code added without an example here
// fails.
func TestWarningCodesRoundTrip(t *testing.T) {
	examples := map[Code]error{
		CodeTokenInFile:      fmt.Errorf("%w (x): %w", ErrTokenInFile, secrets.ErrUnavailable),
		CodePasswordNotSaved: fmt.Errorf("%w: y", ErrPasswordNotSaved),
		CodeTokenNotDeleted:  fmt.Errorf("%w: z", ErrTokenNotDeleted),
		CodeRecordNotRemoved: fmt.Errorf("%w (/p/session.json): read-only file system", ErrRecordNotRemoved),
		CodeTokenUnreadable:  fmt.Errorf("%w: w", ErrTokenUnreadable),
		CodeTokenLost:        ErrTokenLost,
		CodeDamagedRecord:    &DamagedRecordError{SetAside: "/p/session.json.damaged", Err: errCorruptRecord},
	}
	var all []error
	for _, kind := range WarningKinds() {
		w, ok := examples[kind]
		if !ok {
			t.Errorf("no example of warning %q", kind)
			continue
		}
		delete(examples, kind)
		all = append(all, w)
		codes := WarningCodes(w)
		if len(codes) != 1 || codes[0].Kind() != kind {
			t.Errorf("%v: codes %q, want one of kind %q", w, codes, kind)
		}
	}
	for kind := range examples {
		t.Errorf("warning %q is not in WarningKinds", kind)
	}
	old := []Code{"token-in-file", "password-not-saved", "token-not-deleted", "record-not-removed", "token-unreadable", "token-lost", "damaged-record:/p/session.json.damaged"}
	w := errors.Join(all...)
	if codes := WarningCodes(w); !sameCodes(codes, old) {
		t.Errorf("codes %q, want %q", codes, old)
	}
	back := WarningFromCodes(old, w.Error())
	if codes := WarningCodes(back); !sameCodes(codes, old) {
		t.Errorf("came back as %q", codes)
	}
	damaged, ok := errors.AsType[*DamagedRecordError](back)
	if !ok || damaged.SetAside != "/p/session.json.damaged" || !errors.Is(back, ErrTokenInFile) {
		t.Errorf("came back as %v", back)
	}
	// A damaged record kept in place names no place; an unknown warning
	// is left out.
	back = WarningFromCodes([]Code{"damaged-record:", "something-new"}, "text")
	if damaged, ok := errors.AsType[*DamagedRecordError](back); !ok || damaged.SetAside != "" || len(WarningCodes(back)) != 1 {
		t.Errorf("came back as %v", back)
	}
	if WarningFromCodes(nil, "") != nil {
		t.Error("no warning came back as one")
	}
}

func sameCodes(a, b []Code) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestCodeKindAndArg(t *testing.T) {
	for code, want := range map[Code][2]string{
		"busy":                      {"busy", ""},
		"status:503":                {"status", "503"},
		"locked:server:https://x:1": {"locked", "server:https://x:1"},
		CodeRedirect.With("a:b"):    {"redirect", "a:b"},
	} {
		if code.Kind() != Code(want[0]) || code.Arg() != want[1] {
			t.Errorf("%q: kind %q, arg %q; want %q", code, code.Kind(), code.Arg(), want)
		}
	}
}
