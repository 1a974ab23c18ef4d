//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"ucontact-tray/internal/testenv"
)

// An agent goes on a break and comes back from the command line, with the
// commands acting on their own and through the tray app: the fake server
// has the agent on the break and then off it, status --json shows it, and
// a motive the tenant lacks is refused with its sentence and exit code 4.
func TestBreakFromTheCommandLine(t *testing.T) {
	for _, trayApp := range []bool{false, true} {
		name := map[bool]string{false: "on-its-own", true: "through-the-tray-app"}[trayApp]
		t.Run(name, func(t *testing.T) {
			d := newDesk(t, deskOptions{tray: trayApp})
			d.wantLog = append(d.wantLog, `msg="break started" motive=Almuerzo`, `msg="break ended" motive=Almuerzo`)
			var app *testenv.Process
			if trayApp {
				app = d.start()
				app.WaitLog(`tray ready`, startTimeout)
			}
			if r := d.login("agent"); r.code != 0 {
				t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
			}

			if r := d.run("", "break", "Almuerzo"); r.code != 0 || !strings.Contains(r.stdout, "En pausa: Almuerzo.") {
				t.Fatalf("break Almuerzo: %d %q %q", r.code, r.stdout, r.stderr)
			}
			if motive, _, ok := d.srv.Break(user); !ok || motive != "Almuerzo" {
				t.Fatalf("the server has the agent on break %q (%v)", motive, ok)
			}
			st := d.status()
			if b, _ := st["break"].(map[string]any); b == nil || b["motive"] != "Almuerzo" || b["since"] == nil || st["no_breaks"] != false {
				t.Fatalf("status --json on a break: %v", st)
			}
			if app != nil {
				app.WaitLog(`msg="break started" motive=Almuerzo`, stepTimeout) // the tray app made the call
			}

			if r := d.run("", "unbreak"); r.code != 0 || !strings.Contains(r.stdout, "Pausa «Almuerzo» terminada") {
				t.Fatalf("unbreak: %d %q %q", r.code, r.stdout, r.stderr)
			}
			if _, _, ok := d.srv.Break(user); ok {
				t.Fatal("the server still has the agent on a break")
			}
			if st := d.status(); st["break"] != nil || st["state"] != "logged-in" {
				t.Fatalf("status --json after unbreak: %v", st)
			}

			r := d.run("", "break", "Inexistente")
			want := "El servidor no aceptó la pausa «Inexistente» y no dijo por qué"
			if r.code != 4 || !strings.Contains(r.stderr, want) {
				t.Fatalf("break Inexistente: exit %d, %q; want 4 and %q", r.code, r.stderr, want)
			}
			if _, _, ok := d.srv.Break(user); ok {
				t.Fatal("the refused break is on the server")
			}
			if st := d.status(); st["break"] != nil {
				t.Fatalf("status --json after the refusal: %v", st)
			}
		})
	}
}
