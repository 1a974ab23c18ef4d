package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The layers of the house, as docs/architecture.md's "The map of the house"
// draws them:
//   - the tray app (this program) runs all day and never links Fyne or
//     OpenGL: only the window program does;
//   - session/ is the domain and knows nothing of the app around it: no
//     app/, no settings, no UI toolkit;
//   - internal/ holds helpers that know nothing of the app either.
//
// Each rule is checked for every system the tray app is built for, and
// macOS for the packages that need no cgo there (systray does).
var layerRules = []struct {
	pattern   string   // the packages the rule is about
	forbidden []string // import-path prefixes none of them may depend on
	why       string
	systems   []string
}{
	{".", []string{"fyne.io/fyne/", "github.com/go-gl/"},
		"the tray app runs all day: Fyne and OpenGL belong to the window program",
		[]string{"linux", "windows", "freebsd"}},
	{"./session/...", []string{"ucontact-tray/app/", "ucontact-tray/internal/settings", "fyne.io/", "github.com/go-gl/"},
		"the session domain knows nothing of the app, its settings or a UI",
		[]string{"linux", "windows", "freebsd", "darwin"}},
	{"./internal/...", []string{"ucontact-tray/app/", "fyne.io/", "github.com/go-gl/"},
		"internal/ helpers know nothing of the app or a UI",
		[]string{"linux", "windows", "freebsd", "darwin"}},
}

func TestLayers(t *testing.T) {
	for _, rule := range layerRules {
		for _, goos := range rule.systems {
			t.Run(goos+"/"+rule.pattern, func(t *testing.T) {
				for _, v := range layerViolations(t, goos, rule.pattern, rule.forbidden) {
					t.Errorf("%s (%s)", v, rule.why)
				}
			})
		}
	}
}

// layerViolations lists, as "importer imports forbidden", every import of a
// forbidden package among pattern's packages and everything they depend on
// when built for goos.
func layerViolations(t *testing.T, goos, pattern string, forbidden []string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, pattern)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s for %s: %v", pattern, goos, err)
	}
	var violations []string
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			for _, prefix := range forbidden {
				if strings.HasPrefix(imp, prefix) && !isForbidden(fields[0], forbidden) {
					violations = append(violations, fmt.Sprintf("%s imports %s", fields[0], imp))
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("go list -deps %s for %s listed nothing", pattern, goos)
	}
	return violations
}

// isForbidden tells a forbidden package's own imports (Fyne importing
// go-gl, say) from the import that brought it in, which alone is reported.
func isForbidden(pkg string, forbidden []string) bool {
	for _, prefix := range forbidden {
		if strings.HasPrefix(pkg, prefix) {
			return true
		}
	}
	return false
}
