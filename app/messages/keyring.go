package messages

import (
	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

// KeyringLabel names a session's secrets in the keyring's own window
// (session.Config.KeyringLabel), in c's language: "uContact Tray:
// contraseña de ana @ acme (agente)".
func KeyringLabel(c *i18n.Catalog) func(password bool, user, server string, kind session.Kind) string {
	return func(password bool, user, server string, kind session.Kind) string {
		id := "keyring.token"
		if password {
			id = "keyring.password"
		}
		return c.T(id, "User", user, "Server", ServerName(server), "Kind", KindName(c, kind))
	}
}
