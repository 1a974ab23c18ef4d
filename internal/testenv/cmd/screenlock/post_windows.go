package main

import (
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/shutdown"
)

func post(lock bool, pid uint32) (int, error) {
	event := uintptr(shutdown.WTSSessionUnlock)
	if lock {
		event = shutdown.WTSSessionLock
	}
	return testenv.PostToWindows(shutdown.EndSessionWindowClass, pid, shutdown.WMWTSSessionChange, event, 0)
}
