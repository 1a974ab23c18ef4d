package tray

import (
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
			IconLoggedIn, "Conectado: ana @ acme · desde 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
		{"logging out", session.Snapshot{State: session.LoggingOut, User: "ana"}, Extras{},
			IconBusy, "Cerrando sesión…", "(Finalizar Sesión)|(Abrir…)|(Salir)", ""},
		{"pending", session.Snapshot{State: session.LogoutPending, User: "ana", Server: "https://uc.example.com"}, Extras{},
			IconAttention, "Cierre pendiente: ana @ uc.example.com", "Abrir…|Cierre de sesión pendiente — reintentar|Salir", ""},
		{"pending, server down", session.Snapshot{State: session.LogoutPending, User: "ana", Server: "https://uc.example.com",
			LastError: &ucontact.StatusError{Op: "ending session", Status: 503}}, Extras{},
			IconAttention, "Cierre pendiente: ana @ uc.example.com", "Abrir…|Cierre de sesión pendiente — reintentar|Salir",
			"El servidor uc.example.com respondió con un error (HTTP 503). Inténtelo de nuevo más tarde."},
		{"logged in, token in a file", session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since, TokenFile: "/home/ana/.cache/token"}, Extras{},
			IconAttention, "Conectado: ana @ acme · desde 08:02", "Finalizar Sesión|Abrir…|Salir",
			"No hay llavero del sistema: el token de la sesión se guarda en un archivo."},
		{"logging out, token in a file", session.Snapshot{State: session.LoggingOut, User: "ana", TokenFile: "/home/ana/.cache/token"}, Extras{},
			IconBusy, "Cerrando sesión…", "(Finalizar Sesión)|(Abrir…)|(Salir)",
			"No hay llavero del sistema: el token de la sesión se guarda en un archivo."},
		{"back from a suspend", session.Snapshot{State: session.LoggedOut}, Extras{Relogin: "ana @ acme"},
			IconLoggedOut, "Sin sesión.", "Volver a iniciar sesión (ana @ acme)|Iniciar sesión…|Salir", ""},
		{"relogin offer hidden while logged in", session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Since: since}, Extras{Relogin: "ana @ acme"},
			IconLoggedIn, "Conectado: ana @ acme · desde 08:02", "Finalizar Sesión|Abrir…|Salir", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Build(tc.snap, es, tc.extras)
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
		})
	}
}

func TestBuildInEnglish(t *testing.T) {
	m := Build(session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com"}, i18n.MustNew(i18n.English), Extras{})
	if got := strings.Join(visible(m), "|"); got != "End Session|Open…|Quit" {
		t.Errorf("menu %q", got)
	}
}
