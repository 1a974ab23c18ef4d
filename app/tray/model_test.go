package tray

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
)

func visible(m Model) []string {
	var out []string
	for _, a := range MenuOrder {
		if it := m.Items[a]; it.Visible {
			label := it.Label
			if !it.Enabled {
				label = "(" + label + ")"
			}
			out = append(out, label)
		}
	}
	return out
}

func TestBuild(t *testing.T) {
	since := time.Date(2026, 11, 28, 8, 2, 0, 0, time.Local)
	es := i18n.MustNew(i18n.Spanish)
	motives := []string{"Almuerzo", "Baño"}
	agent := session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Kind: session.KindAgent, Since: since}
	noBreaks := agent
	noBreaks.NoBreaks = true
	for _, tc := range []struct {
		name   string
		snap   session.Snapshot
		extras Extras
		icon   Icon
		status string
		menu   string
		reason string
	}{
		{"logged out", session.Snapshot{State: session.LoggedOut}, Extras{},
			IconLoggedOut, "Sin sesión.", "Iniciar sesión…|Salir", ""},
		{"logging in", session.Snapshot{State: session.LoggingIn, User: "ana"}, Extras{},
			IconBusy, "Iniciando sesión…", "(Iniciar sesión…)|(Salir)", ""},
		{"logged in", session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since}, Extras{},
			IconLoggedIn, "Conectado: ana @ acme · desde las 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
		{"logging out", session.Snapshot{State: session.LoggingOut, User: "ana"}, Extras{},
			IconBusy, "Cerrando sesión…", "(Finalizar Sesión)|(Abrir…)|(Salir)", ""},
		{"pending", session.Snapshot{State: session.LogoutPending, User: "ana", Server: "https://uc.example.com"}, Extras{},
			IconAttention, "Cierre pendiente: ana @ uc.example.com", "Abrir…|Cierre de sesión pendiente — reintentar|Salir", ""},
		{"pending, server down", session.Snapshot{State: session.LogoutPending, User: "ana", Server: "https://uc.example.com",
			LastError: &ucontact.StatusError{Op: "ending session", Status: 503}}, Extras{},
			IconAttention, "Cierre pendiente: ana @ uc.example.com", "Abrir…|Cierre de sesión pendiente — reintentar|Salir",
			"El servidor uc.example.com respondió con un error (HTTP 503). Inténtelo de nuevo más tarde."},
		{"logged in, token in a file", session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since, TokenFile: "/home/ana/.cache/token"}, Extras{},
			IconAttention, "Conectado: ana @ acme · desde las 08:02", "Finalizar Sesión|Abrir…|Salir",
			"No hay llavero del sistema: el token de la sesión se guarda en un archivo."},
		{"logging out, token in a file", session.Snapshot{State: session.LoggingOut, User: "ana", TokenFile: "/home/ana/.cache/token"}, Extras{},
			IconBusy, "Cerrando sesión…", "(Finalizar Sesión)|(Abrir…)|(Salir)",
			"No hay llavero del sistema: el token de la sesión se guarda en un archivo."},
		{"back from a suspend", session.Snapshot{State: session.LoggedOut}, Extras{Relogin: "ana @ acme"},
			IconLoggedOut, "Sin sesión.", "Volver a iniciar sesión (ana @ acme)|Iniciar sesión…|Salir", ""},
		{"user session: no breaks", session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since}, Extras{Motives: motives},
			IconLoggedIn, "Conectado: ana @ acme · desde las 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
		{"agent, breaks configured", agent, Extras{Motives: motives},
			IconLoggedIn, "Conectado: ana @ acme · desde las 08:02", "Pausa|Finalizar Sesión|Abrir…|Salir", ""},
		{"agent, no breaks configured", agent, Extras{},
			IconLoggedIn, "Conectado: ana @ acme · desde las 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
		{"agent, the server has no breaks", noBreaks, Extras{Motives: motives},
			IconLoggedIn, "Conectado: ana @ acme · desde las 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
		{"agent logging out", session.Snapshot{State: session.LoggingOut, User: "ana", Kind: session.KindAgent}, Extras{Motives: motives},
			IconBusy, "Cerrando sesión…", "(Finalizar Sesión)|(Abrir…)|(Salir)", ""},
		{"relogin offer hidden while logged in", session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since}, Extras{Relogin: "ana @ acme"},
			IconLoggedIn, "Conectado: ana @ acme · desde las 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.extras
			x.Now = since // the same day: the time alone (see TestSinceAnotherDay)
			m := Build(tc.snap, es, x)
			if m.Icon != tc.icon {
				t.Errorf("icon %v, want %v", m.Icon, tc.icon)
			}
			if m.Status.Label != tc.status || m.Status.Enabled || !m.Status.Visible {
				t.Errorf("status line %+v, want a disabled %q", m.Status, tc.status)
			}
			if m.Title != tc.status {
				t.Errorf("title %q", m.Title)
			}
			if want := strings.TrimSuffix(tc.status+"\n"+tc.reason, "\n"); m.Tooltip != want {
				t.Errorf("tooltip %q, want %q", m.Tooltip, want)
			}
			if m.Reason.Label != tc.reason || m.Reason.Enabled || m.Reason.Visible != (tc.reason != "") {
				t.Errorf("reason line %+v, want a disabled %q, shown if not empty", m.Reason, tc.reason)
			}
			if got := strings.Join(visible(m), "|"); got != tc.menu {
				t.Errorf("menu %q, want %q", got, tc.menu)
			}
			if len(m.Items) != len(MenuOrder) {
				t.Errorf("%d items, want every action present (hidden or not)", len(m.Items))
			}
			if !slices.Equal(m.Motives, tc.extras.Motives) {
				t.Errorf("motives %q, want always the configured %q", m.Motives, tc.extras.Motives)
			}
		})
	}
}

// On a break: the break is the status line, who is logged in the
// tooltip's second line; the icon says so; instead of the Pausa submenu,
// the way back. A problem to see still turns the icon to attention.
func TestBuildOnABreak(t *testing.T) {
	since := time.Date(2026, 11, 28, 8, 2, 0, 0, time.Local)
	lunch := time.Date(2026, 11, 28, 12, 3, 0, 0, time.Local)
	snap := session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Kind: session.KindAgent, Since: since,
		Break: &session.Break{Motive: "Almuerzo", Since: lunch}}
	x := Extras{Motives: []string{"Almuerzo", "Baño"}, Now: lunch}

	m := Build(snap, i18n.MustNew(i18n.Spanish), x)
	if m.Icon != IconOnBreak {
		t.Errorf("icon %v, want on a break", m.Icon)
	}
	const status = "En pausa: Almuerzo · desde las 12:03"
	if m.Status.Label != status || m.Title != status || m.Tooltip != status+"\nConectado: ana @ acme · desde las 08:02" {
		t.Errorf("status %q, title %q, tooltip %q", m.Status.Label, m.Title, m.Tooltip)
	}
	if got := strings.Join(visible(m), "|"); got != "Volver de la pausa (Almuerzo · desde las 12:03)|Finalizar Sesión|Abrir…|Salir" {
		t.Errorf("menu %q", got)
	}

	snap.TokenFile = "/home/ana/.cache/token"
	m = Build(snap, i18n.MustNew(i18n.Spanish), x)
	if want := status + "\nConectado: ana @ acme · desde las 08:02\nNo hay llavero del sistema: el token de la sesión se guarda en un archivo."; m.Icon != IconAttention || m.Tooltip != want {
		t.Errorf("with a problem to see: icon %v, tooltip %q; want attention, %q", m.Icon, m.Tooltip, want)
	}

	snap.TokenFile = ""
	m = Build(snap, i18n.MustNew(i18n.English), x)
	if m.Status.Label != "On a break: Almuerzo · since 12:03" || m.Items[ActionEndBreak].Label != "End the break (Almuerzo · since 12:03)" {
		t.Errorf("in English: status %q, menu %q", m.Status.Label, visible(m))
	}
}

func TestBuildInEnglish(t *testing.T) {
	m := Build(session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com"}, i18n.MustNew(i18n.English), Extras{})
	if got := strings.Join(visible(m), "|"); got != "End Session|Open…|Quit" {
		t.Errorf("menu %q", got)
	}
	m = Build(session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Kind: session.KindAgent},
		i18n.MustNew(i18n.English), Extras{Motives: []string{"Lunch"}})
	if got := strings.Join(visible(m), "|"); got != "Break|End Session|Open…|Quit" {
		t.Errorf("agent's menu %q", got)
	}
}

// A session begun on another day says the date too: a shift past
// midnight, or a tray left running.
func TestSinceAnotherDay(t *testing.T) {
	since := time.Date(2026, 11, 28, 23, 40, 0, 0, time.Local)
	snap := session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since}
	m := Build(snap, i18n.MustNew(i18n.Spanish), Extras{Now: since.Add(time.Hour)})
	if want := "Conectado: ana @ acme · desde el 28/11/2026 a las 23:40"; m.Status.Label != want {
		t.Errorf("status %q, want %q", m.Status.Label, want)
	}
}
