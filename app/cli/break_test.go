package cli

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ucontact-tray/app/messages"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// An agent goes on a break and comes back from the command line, acting on
// its own: the server sees both calls, status shows the break, and the
// commands log them.
func TestBreakAndUnbreak(t *testing.T) {
	w := newWorld(t)
	if r := w.login("agent"); r.code != ExitOK {
		t.Fatalf("login: %q", r.output())
	}
	r := w.run("", "break", "Almuerzo")
	if r.code != ExitOK || !strings.Contains(r.stdout, "En pausa: Almuerzo.") || r.stderr != "" {
		t.Fatalf("break: %d %q", r.code, r.output())
	}
	motive, since, ok := w.srv.Break(user)
	if !ok || motive != "Almuerzo" {
		t.Fatalf("the server has the agent on break %q (%v)", motive, ok)
	}

	st := w.status()
	b, _ := st["break"].(map[string]any)
	if b == nil || b["motive"] != "Almuerzo" || st["no_breaks"] != false {
		t.Fatalf("status --json on a break: %v", st)
	}
	at, err := time.Parse(time.RFC3339, b["since"].(string))
	if err != nil || at.Sub(since).Abs() > time.Minute {
		t.Errorf("break since %v (%v); the server's began %v", b["since"], err, since)
	}
	want := "En pausa: Almuerzo · " + messages.Since(i18n.MustNew(i18n.Spanish), at, time.Now()) + "\n"
	if r := w.run("", "status"); r.code != ExitOK || !strings.Contains(r.stdout, "Conectado: "+user) || !strings.Contains(r.stdout, want) {
		t.Errorf("status on a break: %q; want %q", r.output(), want)
	}

	if r := w.run("", "break", "Baño"); r.code != ExitNothingToDo || !strings.Contains(r.stderr, "Ya está en una pausa") {
		t.Errorf("break on a break: %d %q", r.code, r.output())
	}
	r = w.run("", "unbreak")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Pausa «Almuerzo» terminada") || r.stderr != "" {
		t.Fatalf("unbreak: %d %q", r.code, r.output())
	}
	if _, _, ok := w.srv.Break(user); ok {
		t.Fatal("the server still has the agent on a break")
	}
	if st := w.status(); st["break"] != nil || st["state"] != "logged-in" {
		t.Errorf("status --json after unbreak: %v", st)
	}
	if r := w.run("", "status"); strings.Contains(r.stdout, "En pausa") {
		t.Errorf("status after unbreak: %q", r.stdout)
	}

	for _, re := range []string{
		`msg=command op=break`,
		`msg="uContact request" method=POST host=\S+ path=/Integra/resources/\S+/AgentBreak duration=\S+ status=200`,
		`msg="break started" motive=Almuerzo`,
		`msg=command op=unbreak`,
		`msg="break ended" motive=Almuerzo`,
	} {
		if !regexp.MustCompile(re).MatchString(w.log()) {
			t.Errorf("the log lacks %s:\n%s", re, w.log())
		}
	}
}

// What cannot be done is said in one line, with the exit code the usage
// text gives for it.
func TestBreakErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		login   string // the session's kind; "" for none
		fault   *fake.Fault
		args    []string
		lang    string
		code    int
		inText  string
		noCalls bool // no break call may reach the server
	}{
		{name: "no motive", login: "agent", args: []string{"break"}, code: ExitUsage, inText: "Falta el motivo de la pausa: ucontact-tray break MOTIVO", noCalls: true},
		{name: "no motive in English", login: "agent", args: []string{"break"}, lang: "en_US.UTF-8", code: ExitUsage, inText: "No break motive given", noCalls: true},
		{name: "blank motive", login: "agent", args: []string{"break", " "}, code: ExitUsage, inText: "Falta el motivo", noCalls: true},
		{name: "two words", login: "agent", args: []string{"break", "Pausa", "activa"}, code: ExitUsage, inText: `ucontact-tray break "Pausa activa"`, noCalls: true},
		{name: "unbreak with a motive", login: "agent", args: []string{"unbreak", "Almuerzo"}, code: ExitUsage, inText: "Sobran argumentos", noCalls: true},
		{name: "no session", args: []string{"break", "Almuerzo"}, code: ExitNothingToDo, inText: "No hay ninguna sesión", noCalls: true},
		{name: "user session", login: "user", args: []string{"break", "Almuerzo"}, code: ExitUsage, inText: "Las pausas son para sesiones de agente", noCalls: true},
		{name: "server without breaks", login: "agent", fault: &fake.Fault{Status: 404}, args: []string{"break", "Almuerzo"}, code: ExitServer, inText: "no admite pausas"},
		{name: "motive the server lacks", login: "agent", args: []string{"break", "Inexistente"}, code: ExitServer, inText: "El servidor no aceptó la pausa «Inexistente»"},
		{name: "not on a break", login: "agent", args: []string{"unbreak"}, code: ExitNothingToDo, inText: "No está en ninguna pausa.", noCalls: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.login != "" {
				if r := w.login(tc.login); r.code != ExitOK {
					t.Fatalf("login: %q", r.output())
				}
			}
			if tc.fault != nil {
				w.srv.Inject(ucontact.PathAgentBreak, *tc.fault)
			}
			w.lang = tc.lang
			r := w.run("", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.inText) {
				t.Fatalf("%v: exit %d, %q; want %d and %q", tc.args, r.code, r.output(), tc.code, tc.inText)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
				t.Errorf("not one line on stderr: %q", r.output())
			}
			calls := len(w.srv.RequestsTo(ucontact.PathAgentBreak)) + len(w.srv.RequestsTo(ucontact.PathAgentUnBreak))
			if tc.noCalls && calls != 0 {
				t.Errorf("%d break calls reached the server", calls)
			}
			if _, _, ok := w.srv.Break(user); ok {
				t.Error("the agent is on a break")
			}
		})
	}
}

// A server without breaks is remembered for the session: status says so,
// and `status --json` has no_breaks.
func TestStatusShowsNoBreaks(t *testing.T) {
	w := newWorld(t)
	if r := w.login("agent"); r.code != ExitOK {
		t.Fatalf("login: %q", r.output())
	}
	if st := w.status(); st["no_breaks"] != false || st["break"] != nil {
		t.Fatalf("status --json before: %v", st)
	}
	w.srv.Inject(ucontact.PathAgentBreak, fake.Fault{Status: 404})
	if r := w.run("", "break", "Almuerzo"); r.code != ExitServer {
		t.Fatalf("break: %d %q", r.code, r.output())
	}
	if st := w.status(); st["no_breaks"] != true {
		t.Errorf("status --json after a 404: %v", st)
	}
	if r := w.run("", "status"); !strings.Contains(r.stdout, "no admite pausas") {
		t.Errorf("status after a 404: %q", r.stdout)
	}
}

// With the tray app running, break and unbreak go through it: it makes the
// calls (its tray follows), and its answers, refusals too, are the
// command's.
func TestBreakThroughTheTrayApp(t *testing.T) {
	w := newWorld(t)
	h := &breakTrayApp{}
	w.runtime = serveTrayApp(t, h)

	r := w.run("", "break", "Almuerzo")
	if r.code != ExitOK || !strings.Contains(r.stdout, "En pausa: Almuerzo.") {
		t.Fatalf("break: %d %q", r.code, r.output())
	}
	if st := w.status(); st["break"] == nil {
		t.Errorf("status --json from the tray app: %v", st)
	}
	r = w.run("", "break", "Inexistente")
	if r.code != ExitServer || !strings.Contains(r.stderr, "El servidor no aceptó la pausa «Inexistente»") {
		t.Errorf("a refusal from the tray app: %d %q", r.code, r.output())
	}
	r = w.run("", "unbreak")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Pausa «Almuerzo» terminada") {
		t.Fatalf("unbreak: %d %q", r.code, r.output())
	}
	if got := h.asked(); strings.Join(got, ",") != "Almuerzo,Inexistente,end" {
		t.Errorf("the tray app was asked %q", got)
	}
	if n := len(w.srv.Requests()); n != 0 {
		t.Errorf("the commands called the server %d times themselves", n)
	}
}

// breakTrayApp is a tray app with an agent's session, which takes any
// break but "Inexistente".
type breakTrayApp struct {
	trayApp
	mu       sync.Mutex
	requests []string
	onBreak  *session.Break
}

func (h *breakTrayApp) Snapshot() session.Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return session.Snapshot{State: session.LoggedIn, User: user, Server: "https://acme.ucontactcloud.com", Kind: session.KindAgent, Break: h.onBreak}
}

func (h *breakTrayApp) StartBreak(_ context.Context, motive string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, motive)
	if motive == "Inexistente" {
		return &session.BreakRefusedError{Motive: motive, Err: ucontact.ErrRefused}
	}
	h.onBreak = &session.Break{Motive: motive, Since: time.Now()}
	return nil
}

func (h *breakTrayApp) EndBreak(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, "end")
	h.onBreak = nil
	return nil
}

func (h *breakTrayApp) asked() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.requests...)
}
