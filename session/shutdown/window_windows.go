package shutdown

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

func platformSources(log *slog.Logger) []source {
	return []source{&endSessionWindow{log: log}}
}

// EndSessionWindowClass is the class of the hidden window that hears the
// OS's notices: a test posts it the messages Wine never sends.
const EndSessionWindowClass = "ucontact-tray-end-session"

// Window messages and values (WinUser.h, WtsApi32.h).
const (
	wmClose            = 0x0010
	wmQueryEndSession  = 0x0011
	wmEndSession       = 0x0016
	wmPowerBroadcast   = 0x0218
	WMWTSSessionChange = 0x02B1 // WM_WTSSESSION_CHANGE

	// WM_WTSSESSION_CHANGE's wParam for a lock and an unlock of the
	// session's screen.
	WTSSessionLock   = 0x7
	WTSSessionUnlock = 0x8

	notifyForThisSession = 0

	pbtAPMSuspend         = 0x0004
	pbtAPMResumeSuspend   = 0x0007
	pbtAPMResumeAutomatic = 0x0012

	wsOverlappedWindow = 0x00CF0000
)

// suspendAllowance is how long Windows lets an app handle PBT_APMSUSPEND
// ("approximately two seconds", Microsoft's documentation of the event)
// before it may interrupt it.
const suspendAllowance = 2 * time.Second

var (
	user32                     = windows.NewLazySystemDLL("user32.dll")
	procRegisterClassExW       = user32.NewProc("RegisterClassExW")
	procCreateWindowExW        = user32.NewProc("CreateWindowExW")
	procDefWindowProcW         = user32.NewProc("DefWindowProcW")
	procGetMessageW            = user32.NewProc("GetMessageW")
	procTranslateMessage       = user32.NewProc("TranslateMessage")
	procDispatchMessageW       = user32.NewProc("DispatchMessageW")
	procPostMessageW           = user32.NewProc("PostMessageW")
	procDestroyWindow          = user32.NewProc("DestroyWindow")
	procBlockReasonCreate      = user32.NewProc("ShutdownBlockReasonCreate")
	procBlockReasonDestroy     = user32.NewProc("ShutdownBlockReasonDestroy")
	procSetProcessShutdownParm = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetProcessShutdownParameters")
	wtsapi32                   = windows.NewLazySystemDLL("wtsapi32.dll")
	procWTSRegister            = wtsapi32.NewProc("WTSRegisterSessionNotification")
	procWTSUnRegister          = wtsapi32.NewProc("WTSUnRegisterSessionNotification")
)

type wndClassEx struct {
	Size, Style                        uint32
	WndProc                            uintptr
	ClsExtra, WndExtra                 int32
	Instance, Icon, Cursor, Background windows.Handle
	MenuName, ClassName                *uint16
	IconSm                             windows.Handle
}

type msg struct {
	Hwnd           uintptr
	Message        uint32
	WParam, LParam uintptr
	Time           uint32
	Pt             struct{ X, Y int32 }
	Private        uint32
}

// endSessionWindow is a hidden top-level window on a locked OS thread. GUI
// apps get no console events or signals at logoff or shutdown, and
// message-only windows get no broadcasts: a top-level window is how the app
// hears WM_QUERYENDSESSION, WM_ENDSESSION and WM_POWERBROADCAST, and, once
// registered for it, WM_WTSSESSION_CHANGE (the screen locked or unlocked). (Fyne's
// windows ignore them, and fyne.io/systray's calls its exit callback on
// WM_ENDSESSION without reading wParam, so that is no signal either.)
type endSessionWindow struct {
	log *slog.Logger

	mu      sync.Mutex
	holding bool
	ended   bool // the session was handled in WM_QUERYENDSESSION already
}

func (e *endSessionWindow) hold(open bool) {
	e.mu.Lock()
	e.holding = open
	e.mu.Unlock()
}

func (e *endSessionWindow) run(ctx context.Context, w *Watcher) {
	runtime.LockOSThread() // a window's messages come to the thread that made it
	defer runtime.UnlockOSThread()
	// Ask to be told early among the apps at shutdown (0x3FF is the highest
	// level an app may have).
	procSetProcessShutdownParm.Call(0x3FF, 0) //nolint:errcheck // an order preference only

	var inst windows.Handle
	windows.GetModuleHandleEx(0, nil, &inst) //nolint:errcheck // zero works too
	class, _ := windows.UTF16PtrFromString(EndSessionWindowClass)
	why, _ := windows.UTF16PtrFromString("Finalizando la sesión de uContact…")

	// handle blocks the OS for as long as the session takes to end, within
	// the deadline: the process may be killed as soon as the message returns.
	handle := func(hwnd uintptr, kind Kind, source string) {
		procBlockReasonCreate.Call(hwnd, uintptr(unsafe.Pointer(why))) //nolint:errcheck
		defer procBlockReasonDestroy.Call(hwnd)                        //nolint:errcheck
		done := make(chan struct{})
		allowed := time.Duration(0) // the default deadline: Windows gives 5 s at a shutdown
		if kind == Suspending {
			allowed = suspendAllowance
		}
		w.send(ctx, Notice{Kind: kind, Source: source, Deadline: deadlineWithin(allowed), done: once(func() { close(done) })})
		select {
		case <-done:
		case <-time.After(DefaultDeadline + time.Second):
		case <-ctx.Done():
		}
	}
	registered := false // for WM_WTSSESSION_CHANGE
	proc := func(hwnd, m, wp, lp uintptr) uintptr {
		switch m {
		case wmQueryEndSession:
			e.mu.Lock()
			act := e.holding && !e.ended
			e.ended = e.ended || act
			e.mu.Unlock()
			if act {
				handle(hwnd, SessionEnding, "WM_QUERYENDSESSION")
			}
			return 1 // never veto: the session is ended (or on record)
		case wmEndSession:
			if wp == 0 { // the shutdown was cancelled
				e.mu.Lock()
				e.ended = false
				e.mu.Unlock()
				return 0
			}
			e.mu.Lock()
			act := !e.ended
			e.ended = true
			e.mu.Unlock()
			if act {
				handle(hwnd, SessionEnding, "WM_ENDSESSION")
			}
			return 0
		case wmPowerBroadcast:
			switch wp {
			case pbtAPMSuspend:
				handle(hwnd, Suspending, "PBT_APMSUSPEND")
			case pbtAPMResumeSuspend, pbtAPMResumeAutomatic:
				w.send(ctx, Notice{Kind: Resumed, Source: "PBT_APMRESUME"})
			}
			return 1
		case WMWTSSessionChange:
			// Registered for this session only: lParam, its id, says nothing new.
			switch wp {
			case WTSSessionLock:
				w.screenLocked(ctx, true, "WTS_SESSION_LOCK")
			case WTSSessionUnlock:
				w.screenLocked(ctx, false, "WTS_SESSION_UNLOCK")
			}
			return 0
		case wmClose:
			if registered { // before the window goes, as the documentation asks
				procWTSUnRegister.Call(hwnd) //nolint:errcheck
			}
			procDestroyWindow.Call(hwnd) //nolint:errcheck
			return 0
		}
		r, _, _ := procDefWindowProcW.Call(hwnd, m, wp, lp)
		return r
	}
	wc := wndClassEx{WndProc: windows.NewCallback(proc), Instance: inst, ClassName: class}
	wc.Size = uint32(unsafe.Sizeof(wc))
	if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
		e.log.Error("end-session window: RegisterClassExW", "err", err)
		return
	}
	// Never shown: WS_OVERLAPPEDWINDOW without WS_VISIBLE.
	hwnd, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(class)),
		wsOverlappedWindow, 0, 0, 0, 0, 0, 0, uintptr(inst), 0)
	if hwnd == 0 {
		e.log.Error("end-session window: CreateWindowExW", "err", err)
		return
	}
	// Under Wine this succeeds but nothing is ever sent.
	if r, _, err := procWTSRegister.Call(hwnd, notifyForThisSession); r != 0 {
		registered = true
	} else {
		e.log.Warn("end-session window: no screen lock notices (WTSRegisterSessionNotification)", "err", err)
	}
	e.log.Info("end-session window ready")
	stop := context.AfterFunc(ctx, func() { procPostMessageW.Call(hwnd, wmClose, 0, 0) }) //nolint:errcheck
	defer stop()
	var m msg
	for {
		r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		if int32(r) <= 0 { // WM_QUIT after DestroyWindow, or an error
			return
		}
		procTranslateMessage.Call(uintptr(unsafe.Pointer(&m))) //nolint:errcheck
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m))) //nolint:errcheck
		if ctx.Err() != nil {
			return
		}
	}
}
