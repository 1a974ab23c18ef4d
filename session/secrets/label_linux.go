package secrets

import (
	ss "github.com/zalando/go-keyring/secret_service"
)

// SetLabeled stores secret as go-keyring's Set does, under the same
// attributes (so that Get and Delete find it, and an item stored by Set is
// replaced), but named label: go-keyring names every item "Password for
// '<key>' on '<service>'", in English, and offers no way to change it.
func (OSKeyring) SetLabeled(service, key, label, secret string) error {
	svc, err := ss.NewSecretService()
	if err != nil {
		return err
	}
	session, err := svc.OpenSession()
	if err != nil {
		return err
	}
	defer svc.Close(session) //nolint:errcheck // the item is stored, or the error said why not
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return err
	}
	// The attributes go-keyring searches by.
	attributes := map[string]string{"username": key, "service": service}
	return svc.CreateItem(collection, label, attributes, ss.NewSecret(session.Path(), secret))
}
