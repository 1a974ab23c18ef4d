package resident

import (
	"context"
	"strings"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/app/tray"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// startAgent runs a resident whose presets offer motives, and logs the
// agent in; it returns once the tray shows the session.
func startAgent(t *testing.T, h *harness, motives ...string) *running {
	t.Helper()
	h.srv.AddAgent(testUser, testPassword)
	r := h.start(func(c *Config) { c.Presets = settings.Presets{BreakMotives: motives} })
	st, err := r.client.Login(context.Background(), control.LoginRequest{
		Server: h.srv.URL(), User: testUser, Password: testPassword, Kind: session.KindAgent,
	})
	if err != nil || st.State != session.LoggedIn.String() {
		t.Fatalf("Login = %+v, %v", st, err)
	}
	r.tray.await(t, "the agent logged in", func(m tray.Model) bool { return m.Icon == tray.IconLoggedIn })
	return r
}

func shows(a tray.Action) func(tray.Model) bool {
	return func(m tray.Model) bool { return m.Items[a].Visible }
}

// A break chosen in the Pausa submenu puts the agent on it on the server,
// and the tray then offers the way back, with the icon of a break; the
// way back ends it.
func TestBreakFromTheTray(t *testing.T) {
	h := newHarness(t)
	r := startAgent(t, h, "Almuerzo", "Baño")
	m := r.tray.await(t, "the Pausa submenu", shows(tray.ActionBreak))
	if strings.Join(m.Motives, "|") != "Almuerzo|Baño" {
		t.Fatalf("the submenu lists %q, want the presets' motives", m.Motives)
	}

	r.tray.chooseIn(tray.Choice{Action: tray.ActionBreak, Motive: "Almuerzo"})
	m = r.tray.await(t, "the way back from the break", shows(tray.ActionEndBreak))
	if motive, _, ok := h.srv.Break(testUser); !ok || motive != "Almuerzo" {
		t.Fatalf("on the server: break %q (%v), want Almuerzo", motive, ok)
	}
	if m.Icon != tray.IconOnBreak || m.Items[tray.ActionBreak].Visible || !strings.HasPrefix(m.Status.Label, "En pausa: Almuerzo · desde ") {
		t.Errorf("on a break the tray shows icon %v, status %q, Pausa visible %v", m.Icon, m.Status.Label, m.Items[tray.ActionBreak].Visible)
	}

	r.tray.choose(tray.ActionEndBreak)
	m = r.tray.await(t, "the Pausa submenu again", shows(tray.ActionBreak))
	if _, _, ok := h.srv.Break(testUser); ok {
		t.Error("still on a break on the server")
	}
	if m.Icon != tray.IconLoggedIn || m.Items[tray.ActionEndBreak].Visible {
		t.Errorf("after the break the tray shows icon %v, the way back %v", m.Icon, m.Items[tray.ActionEndBreak].Visible)
	}
	h.notes.mu.Lock()
	defer h.notes.mu.Unlock()
	if len(h.notes.seen) != 0 {
		t.Errorf("notifications: %q", h.notes.seen)
	}
}

// A break the server refuses (a motive the tenant lacks) is said in a
// notification, in the user's language, and the agent is not on a break.
func TestRefusedBreakIsNotified(t *testing.T) {
	h := newHarness(t)
	r := startAgent(t, h, "Siesta")
	r.tray.await(t, "the Pausa submenu", shows(tray.ActionBreak))

	r.tray.chooseIn(tray.Choice{Action: tray.ActionBreak, Motive: "Siesta"})
	note := received(t, h.notes.added, "notification of the refusal")
	if want := "No se pudo empezar la pausa: El servidor no aceptó la pausa «Siesta»"; !strings.HasPrefix(note, want) {
		t.Errorf("notification %q, want %q…", note, want)
	}
	if _, _, ok := h.srv.Break(testUser); ok {
		t.Error("on a break on the server")
	}
	if st := r.status(); st.State != session.LoggedIn.String() {
		t.Errorf("after the refusal: %+v", st)
	}
	r.tray.await(t, "the Pausa submenu still, and no way back", func(m tray.Model) bool {
		return m.Items[tray.ActionBreak].Visible && !m.Items[tray.ActionEndBreak].Visible && m.Icon == tray.IconLoggedIn
	})
}

// A server without breaks (404 to AgentBreak): the Pausa submenu goes,
// and a notification says why, once.
func TestServerWithoutBreaksIsSaidOnce(t *testing.T) {
	h := newHarness(t)
	r := startAgent(t, h, "Almuerzo")
	h.srv.Inject(ucontact.PathAgentBreak, fake.Fault{Status: 404})
	r.tray.await(t, "the Pausa submenu", shows(tray.ActionBreak))

	r.tray.chooseIn(tray.Choice{Action: tray.ActionBreak, Motive: "Almuerzo"})
	r.tray.await(t, "no Pausa submenu", func(m tray.Model) bool {
		return !m.Items[tray.ActionBreak].Visible && m.Items[tray.ActionLogout].Visible
	})
	note := received(t, h.notes.added, "notification of a server without breaks")
	addr := strings.TrimPrefix(h.srv.URL(), "http://")
	if want := "Pausas no disponibles: El servidor " + addr + " no admite pausas. El menú Pausa deja de mostrarse en esta sesión."; note != want {
		t.Errorf("notification %q, want %q", note, want)
	}

	// Whatever comes next (here, the end of the session and of the app),
	// nothing more is said of it: Run waits for the break's task too.
	r.tray.choose(tray.ActionQuit)
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	h.notes.mu.Lock()
	defer h.notes.mu.Unlock()
	if len(h.notes.seen) != 1 {
		t.Errorf("notifications %q, want the one", h.notes.seen)
	}
	if n := len(h.srv.RequestsTo(ucontact.PathAgentBreak)); n != 1 {
		t.Errorf("%d AgentBreak calls, want 1", n)
	}
}
