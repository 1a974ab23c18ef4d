package tray

import (
	"sync"
	"unsafe"

	"fyne.io/systray"
	"golang.org/x/sys/windows"
)

// On Windows the app shows its own menu instead of systray's. systray's
// menu is built once and changed item by item, so one opened before a
// change kept showing the old state. This one is built from the model at
// the moment it opens, and is closed and opened again at the same place
// when the model changes under it. It follows Microsoft's steps for a
// notification icon's menu, which systray's skips in part: the owner
// window to the foreground first, so that Escape or a click elsewhere
// closes it, and WM_NULL posted after.

// Menu flags and messages (WinUser.h).
const (
	mfString    = 0x0000
	mfGrayed    = 0x0001
	mfPopup     = 0x0010
	mfSeparator = 0x0800

	tpmRightButton = 0x0002
	tpmBottomAlign = 0x0020
	tpmNoNotify    = 0x0080
	tpmReturnCmd   = 0x0100
)

// Command IDs. An action's is its number plus one (0 is "nothing
// chosen"); the status and reason lines have statusID, never a command as
// they are disabled; the break motives, the entries of the Pausa submenu,
// motiveID plus their index in Model.Motives.
const (
	statusID = 1000
	motiveID = 2000
)

var (
	procCreatePopupMenu     = user32.NewProc("CreatePopupMenu")
	procAppendMenu          = user32.NewProc("AppendMenuW")
	procDestroyMenu         = user32.NewProc("DestroyMenu")
	procTrackPopupMenuEx    = user32.NewProc("TrackPopupMenuEx")
	procSetForegroundWindow = user32.NewProc("SetForegroundWindow")
	procGetCursorPos        = user32.NewProc("GetCursorPos")
)

// popupMenu is the tray's menu on Windows.
type popupMenu struct {
	onAction func(Choice)
	onError  func(error)

	mu    sync.Mutex
	model Model        // what the menu shows when it opens
	open  windows.HWND // the menu's owner while it is on screen, else 0
	stale bool         // the model changed while the menu was open
}

func newMenu(first Model, onAction func(Choice), onError func(error)) menu {
	p := &popupMenu{onAction: onAction, onError: onError, model: first}
	// A right click on the icon comes here, on systray's window thread,
	// instead of to systray's menu.
	systray.SetOnSecondaryTapped(p.show)
	// The menu holds the model of the moment; the tooltip in it is set
	// again when a new taskbar has the icon back.
	if err := followTaskbar(p.restoreTooltip); err != nil {
		onError(err)
	}
	return p
}

// restoreTooltip sets the tooltip of the model shown again.
func (p *popupMenu) restoreTooltip() {
	p.mu.Lock()
	tip := p.model.Tooltip
	p.mu.Unlock()
	if err := setTooltip(tip); err != nil {
		p.onError(err)
	}
}

// renew has nothing to make again: the menu is made from the model each
// time it opens.
func (p *popupMenu) renew(Model) {}

func (p *popupMenu) apply(m, _ Model, _ bool) {
	p.mu.Lock()
	p.model = m
	owner := p.open
	p.stale = owner != 0
	p.mu.Unlock()
	if owner != 0 {
		// The menu is closed (the owner's default window procedure ends
		// menu mode), and show opens it again with m.
		procPostMessage.Call(uintptr(owner), wmCancelMode, 0, 0) //nolint:errcheck // then it stays as it was
	}
}

// show runs the menu until an item is chosen or it is dismissed, opening
// it again with the new model when the model changes while it is open.
func (p *popupMenu) show() {
	owner, err := trayWindow()
	if err != nil {
		p.onError(err)
		return
	}
	var at struct{ X, Y int32 }
	procGetCursorPos.Call(uintptr(unsafe.Pointer(&at))) //nolint:errcheck // at 0,0 it is still usable
	for {
		p.mu.Lock()
		m := p.model
		p.open, p.stale = owner, false
		p.mu.Unlock()

		chosen := track(owner, m, at.X, at.Y)

		p.mu.Lock()
		again := p.stale && chosen == 0
		p.open = 0
		p.mu.Unlock()
		if c, ok := choiceOf(m, chosen); ok {
			// Off systray's window thread: an action may take a while.
			go p.onAction(c)
			return
		}
		if !again {
			return
		}
	}
}

// choiceOf is the choice of the command id in the menu of m; false for
// none (nothing chosen, a status line).
func choiceOf(m Model, id int) (Choice, bool) {
	switch {
	case id >= motiveID && id < motiveID+len(m.Motives):
		return Choice{Action: ActionBreak, Motive: m.Motives[id-motiveID]}, true
	case id > 0 && id <= len(MenuOrder):
		return Choice{Action: Action(id - 1)}, true
	}
	return Choice{}, false
}

// track shows m as a popup menu at x, y and returns the command chosen, 0
// for none.
func track(owner windows.HWND, m Model, x, y int32) int {
	h := popupOf(m)
	if h == 0 {
		return 0
	}
	// Destroys the submenus in it too.
	defer procDestroyMenu.Call(h) //nolint:errcheck
	// Without the owner in the foreground, the menu does not close on
	// Escape or on a click elsewhere (Microsoft's KB135788).
	procSetForegroundWindow.Call(uintptr(owner)) //nolint:errcheck
	chosen, _, _ := procTrackPopupMenuEx.Call(h, tpmReturnCmd|tpmNoNotify|tpmRightButton|tpmBottomAlign,
		uintptr(x), uintptr(y), uintptr(owner), 0)
	procPostMessage.Call(uintptr(owner), wmNull, 0, 0) //nolint:errcheck
	return int(chosen)
}

// popupOf makes the popup menu of m, for the caller to destroy; 0 if
// Windows made none.
func popupOf(m Model) uintptr {
	h, _, _ := procCreatePopupMenu.Call()
	if h == 0 {
		return 0
	}
	add := func(menu, flags, id uintptr, label string) bool {
		var text uintptr
		if label != "" {
			u, err := windows.UTF16PtrFromString(label)
			if err != nil {
				return false
			}
			text = uintptr(unsafe.Pointer(u))
		}
		ok, _, _ := procAppendMenu.Call(menu, flags, id, text)
		return ok != 0 // an item missing is all that can go wrong
	}
	add(h, mfString|mfGrayed, statusID, m.Status.Label)
	if m.Reason.Visible {
		add(h, mfString|mfGrayed, statusID, m.Reason.Label)
	}
	add(h, mfSeparator, 0, "")
	for _, a := range MenuOrder {
		it := m.Items[a]
		if !it.Visible {
			continue
		}
		if a == ActionQuit {
			add(h, mfSeparator, 0, "")
		}
		flags := uintptr(mfString)
		if !it.Enabled {
			flags |= mfGrayed
		}
		if a == ActionBreak {
			addBreaks(h, flags, it.Label, m.Motives, add)
			continue
		}
		add(h, flags, uintptr(a)+1, it.Label)
	}
	return h
}

// addBreaks appends to menu the Pausa submenu, labelled label, whose
// entries are the motives.
func addBreaks(menu, flags uintptr, label string, motives []string, add func(menu, flags, id uintptr, label string) bool) {
	sub, _, _ := procCreatePopupMenu.Call()
	if sub == 0 {
		return
	}
	for i, motive := range motives {
		add(sub, mfString, uintptr(motiveID+i), motive)
	}
	// With MF_POPUP the "ID" is the submenu, which menu then owns.
	if !add(menu, flags|mfPopup, sub, label) {
		procDestroyMenu.Call(sub) //nolint:errcheck
	}
}
