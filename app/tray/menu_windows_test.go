package tray

import (
	"testing"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/session"
)

var (
	procGetMenuItemCount = user32.NewProc("GetMenuItemCount")
	procGetMenuItemID    = user32.NewProc("GetMenuItemID")
	procGetSubMenu       = user32.NewProc("GetSubMenu")
)

// An agent's menu has the Pausa submenu, each of its entries choosing its
// motive; the way back from a break is a command of its own.
func TestPopupHasTheBreaksSubmenu(t *testing.T) {
	agent := session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Kind: session.KindAgent}
	motives := []string{"Almuerzo", "Baño", "Capacitación"}
	m := Build(agent, i18n.MustNew(i18n.Spanish), Extras{Motives: motives})
	h := popupOf(m)
	if h == 0 {
		t.Fatal("no menu made")
	}
	defer procDestroyMenu.Call(h) //nolint:errcheck

	// Status, separator, Pausa, Finalizar Sesión, Abrir…, separator, Salir.
	n, _, _ := procGetMenuItemCount.Call(h)
	if int32(n) != 7 {
		t.Fatalf("%d entries, want 7", int32(n))
	}
	const pausa = 2
	if id, _, _ := procGetMenuItemID.Call(h, pausa); int32(id) != -1 {
		t.Fatalf("entry %d has command %d, want the Pausa submenu", pausa, int32(id))
	}
	sub, _, _ := procGetSubMenu.Call(h, pausa)
	if sub == 0 {
		t.Fatal("no submenu under Pausa")
	}
	if n, _, _ := procGetMenuItemCount.Call(sub); int(n) != len(motives) {
		t.Fatalf("the submenu has %d entries, want %d", n, len(motives))
	}
	for i, want := range motives {
		id, _, _ := procGetMenuItemID.Call(sub, uintptr(i))
		if c, ok := choiceOf(m, int(id)); !ok || c != (Choice{Action: ActionBreak, Motive: want}) {
			t.Errorf("submenu entry %d chooses %+v (%v), want the break %q", i, c, ok, want)
		}
	}
	id, _, _ := procGetMenuItemID.Call(h, pausa+1)
	if c, ok := choiceOf(m, int(id)); !ok || c != (Choice{Action: ActionLogout}) {
		t.Errorf("the entry after Pausa chooses %+v (%v), want Finalizar Sesión", c, ok)
	}

	// On a break: no submenu, the way back instead.
	agent.Break = &session.Break{Motive: "Almuerzo"}
	m = Build(agent, i18n.MustNew(i18n.Spanish), Extras{Motives: motives})
	h2 := popupOf(m)
	defer procDestroyMenu.Call(h2) //nolint:errcheck
	id, _, _ = procGetMenuItemID.Call(h2, pausa)
	if c, ok := choiceOf(m, int(id)); !ok || c != (Choice{Action: ActionEndBreak}) {
		t.Errorf("on a break, entry %d chooses %+v (%v), want the end of the break", pausa, c, ok)
	}
	for _, none := range []int{0, statusID, motiveID + len(motives), motiveID - 1} {
		if c, ok := choiceOf(m, none); ok {
			t.Errorf("command %d chooses %+v, want nothing", none, c)
		}
	}
}
