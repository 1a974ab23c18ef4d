package messages

import (
	"testing"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

func TestKeyringLabel(t *testing.T) {
	es := KeyringLabel(i18n.MustNew(i18n.Spanish))
	en := KeyringLabel(i18n.MustNew(i18n.English))
	const server = "https://acme.ucontactcloud.com"
	for _, tc := range []struct{ got, want string }{
		{es(false, "ana", server, session.KindAgent), "uContact Tray: sesión de ana @ acme (agente)"},
		{es(true, "ana", server, session.KindUser), "uContact Tray: contraseña de ana @ acme (usuario)"},
		{en(true, "ana", server, session.KindAgent), "uContact Tray: password of ana @ acme (agent)"},
	} {
		if tc.got != tc.want {
			t.Errorf("label %q, want %q", tc.got, tc.want)
		}
	}
}
