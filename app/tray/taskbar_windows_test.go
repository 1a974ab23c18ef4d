package tray

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"fyne.io/systray"
	"golang.org/x/sys/windows"
)

const nimDelete = 0x00000002

// What an Explorer restart does to the app: its icon is gone from the new
// taskbar, and TaskbarCreated is broadcast. systray adds the icon back,
// and then the app's tooltip is set again.
func TestTheIconComesBackWithANewTaskbar(t *testing.T) {
	// As the app does: the tooltip set again when restored is called,
	// which must be once the icon is back.
	restored := make(chan error, 1)
	ready := make(chan error, 1)
	go func() {
		// systray's window and its message loop must be on one thread: the
		// main goroutine's in the app, this one's here.
		runtime.LockOSThread()
		systray.Run(func() {
			systray.SetIcon(iconBytes(IconLoggedIn))
			ready <- followTaskbar(func() { restored <- setTooltip("Conectado: ana @ acme") })
		}, nil)
	}()
	defer systray.Quit()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	if err := setTooltip("Conectado: ana @ acme"); err != nil {
		t.Fatalf("the icon is not there to begin with: %v", err)
	}

	wnd, err := trayWindow()
	if err != nil {
		t.Fatal(err)
	}
	nid := notifyIconData{Wnd: uintptr(wnd), ID: systrayIconID}
	nid.Size = uint32(unsafe.Sizeof(nid))
	if ok, _, err := procShellNotifyIcon.Call(nimDelete, uintptr(unsafe.Pointer(&nid))); ok == 0 {
		t.Fatalf("removing the icon, as a new taskbar does not have it: %v", err)
	}
	if err := setTooltip("x"); err == nil {
		t.Fatal("a tooltip was set on an icon that is gone: the test cannot tell when it is back")
	}
	name, _ := windows.UTF16PtrFromString("TaskbarCreated")
	created, _, _ := procRegisterWindowMessage.Call(uintptr(unsafe.Pointer(name)))
	// Explorer broadcasts it to every top-level window; here it is posted
	// to the app's alone.
	if ok, _, err := procPostMessage.Call(uintptr(wnd), created, 0, 0); ok == 0 {
		t.Fatalf("posting TaskbarCreated: %v", err)
	}
	select {
	case err := <-restored:
		if err != nil {
			t.Fatalf("the tooltip could not be set again: the icon was not back yet: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("TaskbarCreated did not reach the app")
	}
}
