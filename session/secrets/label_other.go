//go:build !linux

package secrets

import "github.com/zalando/go-keyring"

// SetLabeled is Set: only the Secret Service (Linux) lets an entry have a
// name of its own. Windows' Credential Manager shows the entry's target
// name, which is also how it is found ("<service>:<key>"), and macOS's
// Keychain the service name.
func (OSKeyring) SetLabeled(service, key, _, secret string) error {
	return keyring.Set(service, key, secret)
}
