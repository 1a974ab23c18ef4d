// Package secretstest provides an in-memory keyring for tests of the packages
// that use secrets. Unlike go-keyring's mock it is safe for concurrent use
// and can be switched off and on.
package secretstest

import (
	"errors"
	"maps"
	"sync"

	"github.com/zalando/go-keyring"
)

// ErrNoKeyring is what a switched-off Memory answers, like a machine with no
// Secret Service.
var ErrNoKeyring = errors.New("org.freedesktop.secrets was not provided by any .service files")

// Memory is a keyring in memory. Its zero value is empty and available.
type Memory struct {
	mu      sync.Mutex
	items   map[string]string
	labels  map[string]string // by "service/key", for the items set with one
	offline bool
	refuse  error // what Set answers instead of storing, when set
}

// RefuseSets makes every Set fail with err (nil: store again), as a keyring
// that rejects an entry does.
func (m *Memory) RefuseSets(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refuse = err
}

// SetAvailable switches the keyring on or off.
func (m *Memory) SetAvailable(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.offline = !on
}

// Items returns a copy of every stored secret by "service/key".
func (m *Memory) Items() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.items)
}

func (m *Memory) Set(service, key, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.offline {
		return ErrNoKeyring
	}
	if m.refuse != nil {
		return m.refuse
	}
	if m.items == nil {
		m.items = map[string]string{}
	}
	m.items[service+"/"+key] = secret
	delete(m.labels, service+"/"+key) // the keyring library's own name now
	return nil
}

// SetLabeled is Set, the item named label as the Secret Service names it.
func (m *Memory) SetLabeled(service, key, label, secret string) error {
	if err := m.Set(service, key, secret); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.labels == nil {
		m.labels = map[string]string{}
	}
	m.labels[service+"/"+key] = label
	return nil
}

// Labels returns a copy of the labels of the items set with one, by
// "service/key".
func (m *Memory) Labels() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.labels)
}

func (m *Memory) Get(service, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.offline {
		return "", ErrNoKeyring
	}
	v, ok := m.items[service+"/"+key]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (m *Memory) Delete(service, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.offline {
		return ErrNoKeyring
	}
	if _, ok := m.items[service+"/"+key]; !ok {
		return keyring.ErrNotFound
	}
	delete(m.items, service+"/"+key)
	delete(m.labels, service+"/"+key)
	return nil
}
