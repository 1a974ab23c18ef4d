// Package i18n looks up the app's messages in the user's language. It reads
// the same files as Fyne's lang package (assets/translations) but does not
// link Fyne, so the resident process and the command line stay small.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"ucontact-tray/assets"
)

// Languages the app speaks; the first is the default.
const (
	Spanish = "es"
	English = "en"
)

// Catalog is the messages of one language. It is read-only once made.
type Catalog struct {
	lang     string
	messages map[string]string
	fallback map[string]string // Spanish, for a message missing in lang
}

// Detect picks the language from the POSIX locale variables, in their order
// of precedence: English for an "en" locale, Spanish otherwise.
func Detect(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "en") {
				return English
			}
			return Spanish
		}
	}
	return Spanish
}

// New loads the catalog of lang (Spanish if it is not one the app speaks).
func New(lang string) (*Catalog, error) {
	es, err := load(Spanish)
	if err != nil {
		return nil, err
	}
	c := &Catalog{lang: Spanish, messages: es, fallback: es}
	if lang == English {
		en, err := load(English)
		if err != nil {
			return nil, err
		}
		c.lang, c.messages = English, en
	}
	return c, nil
}

// MustNew is New for the embedded catalogs, which tests prove loadable.
func MustNew(lang string) *Catalog {
	c, err := New(lang)
	if err != nil {
		panic(err)
	}
	return c
}

func load(lang string) (map[string]string, error) {
	b, err := fs.ReadFile(assets.Translations, "translations/"+lang+".json")
	if err != nil {
		return nil, fmt.Errorf("loading %s translations: %w", lang, err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("loading %s translations: %w", lang, err)
	}
	return m, nil
}

// Lang is the catalog's language code.
func (c *Catalog) Lang() string { return c.lang }

// T returns the message id with its {{.Name}} placeholders filled from
// name/value pairs: T("login.done", "User", "ana"). An unknown id is returned
// as is, so a missing translation shows up instead of vanishing.
func (c *Catalog) T(id string, pairs ...any) string {
	msg, ok := c.messages[id]
	if !ok {
		if msg, ok = c.fallback[id]; !ok {
			return id
		}
	}
	if len(pairs) == 0 || !strings.Contains(msg, "{{") {
		return msg
	}
	replacements := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		replacements = append(replacements, "{{."+fmt.Sprint(pairs[i])+"}}", fmt.Sprint(pairs[i+1]))
	}
	return strings.NewReplacer(replacements...).Replace(msg)
}

// Has reports whether id is a known message.
func (c *Catalog) Has(id string) bool {
	_, ok := c.messages[id]
	return ok
}
