//go:build linux || freebsd || openbsd || netbsd

package idle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

// env is an environment with only the given variables set.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// pause lets the user's idle time grow by a measurable amount. Only the
// order of the readings around it is asserted, never their size.
func pause() { time.Sleep(50 * time.Millisecond) }

func TestMutterIsAskedFirst(t *testing.T) {
	bus := testenv.StartBus(t)
	monitor := testenv.StartFakeIdleMonitor(t, bus)
	display := testenv.StartXvfb(t)
	ctx := context.Background()

	src, err := open(ctx, testenv.ConnectBus(t, bus), env(map[string]string{"DISPLAY": display}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.String(), "Mutter") {
		t.Fatalf("source is %q, want GNOME's Mutter when it is on the bus", src)
	}

	monitor.SetIdle(90 * time.Second)
	away, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if away < 90*time.Second {
		t.Errorf("idle %v after 90 s away, want at least 90 s", away)
	}
	monitor.Input()
	back, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if back >= away {
		t.Errorf("idle %v after input, want less than the %v before it", back, away)
	}
	pause()
	later, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if later <= back {
		t.Errorf("idle %v, then %v with no input: want it to grow", back, later)
	}
	if n := monitor.Calls(); n != 3 {
		t.Errorf("GetIdletime called %d times for 3 readings", n)
	}
}

func TestMutterFailureIsReported(t *testing.T) {
	bus := testenv.StartBus(t)
	monitor := testenv.StartFakeIdleMonitor(t, bus)
	ctx := context.Background()
	src, err := open(ctx, testenv.ConnectBus(t, bus), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	monitor.SetFailing(true)
	if _, err := src.Idle(ctx); err == nil || !strings.Contains(err.Error(), "Mutter") {
		t.Fatalf("Idle with a failing Mutter: %v, want an error naming it", err)
	}
	monitor.SetFailing(false)
	if _, err := src.Idle(ctx); err != nil {
		t.Fatalf("Idle once Mutter answers again: %v", err)
	}
}

func TestX11WithoutMutter(t *testing.T) {
	bus := testenv.StartBus(t) // a session bus without GNOME
	display := testenv.StartXvfb(t)
	ctx := context.Background()

	src, err := open(ctx, testenv.ConnectBus(t, bus), env(map[string]string{"DISPLAY": display}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.String(), screenSaverExt) {
		t.Fatalf("source is %q, want the X server's %s", src, screenSaverExt)
	}

	testenv.XDoTool(t, display, "mousemove", "10", "10")
	first, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pause()
	second, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second <= first {
		t.Errorf("idle %v, then %v with no input: want it to grow", first, second)
	}
	testenv.XDoTool(t, display, "mousemove", "500", "400")
	third, err := src.Idle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if third >= second {
		t.Errorf("idle %v after the mouse moved, want less than the %v before", third, second)
	}
}

func TestX11WithoutSessionBus(t *testing.T) {
	display := testenv.StartXvfb(t)
	src, err := open(context.Background(), nil, env(map[string]string{"DISPLAY": display}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestUnavailable(t *testing.T) {
	bus := testenv.StartBus(t) // without GNOME
	display := testenv.StartXvfb(t)
	conn := testenv.ConnectBus(t, bus)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // in the error
	}{
		{"no display", nil, "no X display"},
		{"Wayland", map[string]string{"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": display}, "Wayland"},
		{"Wayland session type", map[string]string{"XDG_SESSION_TYPE": "wayland", "DISPLAY": display}, "Wayland"},
		// A display no X server listens on.
		{"no X server", map[string]string{"DISPLAY": ":4093"}, "X display :4093"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := open(context.Background(), conn, env(tc.env))
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("open: %v, %v; want ErrUnavailable", src, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), mutterName) {
				t.Errorf("error %q should say why: %q, and that %s is missing", err, tc.want, mutterName)
			}
		})
	}
}
