package i18n

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ucontact-tray/assets"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, Spanish},
		{map[string]string{"LANG": "en_US.UTF-8"}, English},
		{map[string]string{"LANG": "es_UY.UTF-8"}, Spanish},
		{map[string]string{"LANG": "C.UTF-8"}, Spanish},
		{map[string]string{"LANG": "es_ES", "LC_ALL": "en_GB"}, English},
		{map[string]string{"LANG": "en_US", "LC_MESSAGES": "es_AR"}, Spanish},
	} {
		if got := Detect(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Detect(%v) = %s, want %s", tc.env, got, tc.want)
		}
	}
}

func TestT(t *testing.T) {
	es, en := MustNew(Spanish), MustNew(English)
	if got := es.T("login.done", "User", "ana", "Server", "acme", "Kind", "usuario"); got != "Sesión iniciada: ana @ acme (usuario)." {
		t.Errorf("es: %q", got)
	}
	if got := en.T("err.not_logged_in"); got != "No session is open." {
		t.Errorf("en: %q", got)
	}
	if got := en.T("no.such.id"); got != "no.such.id" {
		t.Errorf("unknown id: %q", got)
	}
	if MustNew("fr").Lang() != Spanish {
		t.Error("unknown language is not Spanish")
	}
}

var placeholder = regexp.MustCompile(`\{\{\.(\w+)\}\}`)

// Every message exists in both languages with the same placeholders.
func TestCatalogsMatch(t *testing.T) {
	files, err := fs.Glob(assets.Translations, "translations/*.json")
	if err != nil || len(files) != 2 {
		t.Fatalf("translation files %v, %v", files, err)
	}
	es, _ := load(Spanish)
	en, _ := load(English)
	for id, msg := range es {
		other, ok := en[id]
		if !ok {
			t.Errorf("%s: missing in English", id)
			continue
		}
		if a, b := placeholders(msg), placeholders(other); !slices.Equal(a, b) {
			t.Errorf("%s: placeholders %v (es) vs %v (en)", id, a, b)
		}
	}
	for id := range en {
		if _, ok := es[id]; !ok {
			t.Errorf("%s: missing in Spanish", id)
		}
	}
}

// Every message id the code asks for exists.
func TestCodeUsesKnownIDs(t *testing.T) {
	call := regexp.MustCompile(`\.T\("([a-z_.]+)"`)
	es := MustNew(Spanish)
	root := filepath.Join("..", "..")
	var used int
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, _ := os.ReadFile(path)
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			used++
			if !es.Has(m[1]) {
				t.Errorf("%s asks for unknown message %q", path, m[1])
			}
		}
		return nil
	})
	if used == 0 {
		t.Fatal("found no T(...) call: the scan is broken")
	}
}

func placeholders(msg string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(msg, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestFilesAreFlatStringMaps(t *testing.T) {
	for _, lang := range []string{Spanish, English} {
		b, _ := fs.ReadFile(assets.Translations, "translations/"+lang+".json")
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for id, v := range m {
			if _, ok := v.(string); !ok {
				t.Errorf("%s %s: not a string", lang, id)
			}
		}
	}
}

// A message given twice in a catalog is one that two changes both added:
// the later one silently wins, and the two may drift apart.
func TestNoMessageIsGivenTwice(t *testing.T) {
	for _, lang := range []string{Spanish, English} {
		b, _ := fs.ReadFile(assets.Translations, "translations/"+lang+".json")
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if _, err := dec.Token(); err != nil { // the opening brace
			t.Fatalf("%s: %v", lang, err)
		}
		seen := map[string]bool{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", lang, err)
			}
			id, _ := key.(string)
			if seen[id] {
				t.Errorf("%s: %s is given twice", lang, id)
			}
			seen[id] = true
			if _, err := dec.Token(); err != nil { // its text
				t.Fatalf("%s %s: %v", lang, id, err)
			}
		}
	}
}

// Fyne is given a language it can parse, the app's, where the locale in
// effect names none; any other locale is left for Fyne to read.
func TestFyneEnv(t *testing.T) {
	for _, tc := range []struct {
		env          []string
		wantLanguage string // "" for environ unchanged
	}{
		{[]string{"LANG=C.UTF-8", "HOME=/home/ana"}, Spanish},
		{[]string{"LC_ALL=C.utf8", "LANG=en_US.UTF-8"}, Spanish},
		{[]string{"LC_ALL=POSIX.UTF-8"}, Spanish},
		{[]string{"HOME=/home/ana"}, Spanish},
		{[]string{"LANG=C.UTF-8", "LC_MESSAGES=en_GB.UTF-8"}, ""},
		{[]string{"LANG=C.UTF-8", "LANGUAGE="}, Spanish},
		{[]string{"LANG=C"}, ""},
		{[]string{"LANG=POSIX"}, ""},
		{[]string{"LANG=es_UY.UTF-8"}, ""},
		{[]string{"LANG=en_US.UTF-8"}, ""},
		{[]string{"LANG=C.UTF-8", "LANGUAGE=en_US:en"}, ""},
	} {
		got := FyneEnv(slices.Clone(tc.env))
		want := tc.env
		if tc.wantLanguage != "" {
			want = append(slices.DeleteFunc(slices.Clone(tc.env), func(kv string) bool { return strings.HasPrefix(kv, "LANGUAGE=") }), "LANGUAGE="+tc.wantLanguage)
		}
		if !slices.Equal(got, want) {
			t.Errorf("FyneEnv(%q) = %q, want %q", tc.env, got, want)
		}
	}
}
