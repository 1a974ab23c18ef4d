//go:build darwin && cgo

package shutdown

// Written against Apple's NSWorkspace documentation; it cannot be built or
// run on the Linux machines this project is developed and tested on (see
// docs/admin.md). The observer blocks the notifying (main) thread until the
// session is ended or the deadline passes, and then lets termination
// proceed: it never cancels it. The screen's lock and unlock come as the
// distributed notifications com.apple.screenIsLocked and screenIsUnlocked
// (not documented by Apple, but what macOS has posted for years), observed
// from the main thread, whose run loop delivers them; they never block it.

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework AppKit
#include <stdint.h>
#include <dispatch/dispatch.h>
#import <AppKit/AppKit.h>

extern void goWorkspaceEvent(uintptr_t handle, int kind);

static void observeWorkspace(uintptr_t handle) {
	NSNotificationCenter *center = [[NSWorkspace sharedWorkspace] notificationCenter];
	[center addObserverForName:NSWorkspaceWillPowerOffNotification object:nil queue:nil
		usingBlock:^(NSNotification *n) { goWorkspaceEvent(handle, 0); }];
	[center addObserverForName:NSWorkspaceWillSleepNotification object:nil queue:nil
		usingBlock:^(NSNotification *n) { goWorkspaceEvent(handle, 1); }];
	[center addObserverForName:NSWorkspaceDidWakeNotification object:nil queue:nil
		usingBlock:^(NSNotification *n) { goWorkspaceEvent(handle, 2); }];
	dispatch_async(dispatch_get_main_queue(), ^{
		NSDistributedNotificationCenter *distributed = [NSDistributedNotificationCenter defaultCenter];
		[distributed addObserverForName:@"com.apple.screenIsLocked" object:nil queue:nil
			usingBlock:^(NSNotification *n) { goWorkspaceEvent(handle, 3); }];
		[distributed addObserverForName:@"com.apple.screenIsUnlocked" object:nil queue:nil
			usingBlock:^(NSNotification *n) { goWorkspaceEvent(handle, 4); }];
	});
}
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
	"time"
)

func platformSources(log *slog.Logger) []source {
	return []source{&workspace{log: log}, &signals{log: log}}
}

// workspace observes NSWorkspace's power-off, sleep and wake notifications,
// and the screen's lock.
type workspace struct {
	log *slog.Logger
}

type workspaceTarget struct {
	ctx context.Context
	w   *Watcher
	// locks are the screen's lock (true) and unlock (false), in order,
	// told from run's goroutine so that the main thread never waits.
	locks chan bool
}

func (s *workspace) run(ctx context.Context, w *Watcher) {
	t := &workspaceTarget{ctx: ctx, w: w, locks: make(chan bool, 8)}
	h := cgo.NewHandle(t)
	defer h.Delete()
	C.observeWorkspace(C.uintptr_t(h))
	for {
		select {
		case <-ctx.Done():
			return
		case locked := <-t.locks:
			source := "com.apple.screenIsUnlocked"
			if locked {
				source = "com.apple.screenIsLocked"
			}
			w.screenLocked(ctx, locked, source)
		}
	}
}

func (s *workspace) hold(bool) {}

//export goWorkspaceEvent
func goWorkspaceEvent(handle C.uintptr_t, kind C.int) {
	t, ok := cgo.Handle(handle).Value().(*workspaceTarget)
	if !ok || t.ctx.Err() != nil {
		return
	}
	switch kind {
	case 2:
		t.w.send(t.ctx, Notice{Kind: Resumed, Source: "NSWorkspaceDidWake"})
		return
	case 3, 4:
		select {
		case t.locks <- kind == 3:
		default: // eight changes behind: the app is stuck, and the main thread must not be
		}
		return
	}
	n := Notice{Kind: SessionEnding, Source: "NSWorkspaceWillPowerOff", Deadline: deadlineWithin(0)}
	if kind == 1 {
		n.Kind, n.Source = Suspending, "NSWorkspaceWillSleep"
	}
	done := make(chan struct{})
	n.done = once(func() { close(done) })
	t.w.send(t.ctx, n)
	select {
	case <-done:
	case <-time.After(DefaultDeadline + time.Second):
	}
}
