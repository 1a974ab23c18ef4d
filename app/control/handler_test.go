package control

import (
	"context"

	"ucontact-tray/session"
)

// idleHandler is a resident with no session that does nothing.
type idleHandler struct{}

func (idleHandler) Login(context.Context, LoginRequest) error { return nil }
func (idleHandler) CancelLogin()                              {}
func (idleHandler) Logout(context.Context) error              { return session.ErrNotLoggedIn }
func (idleHandler) Snapshot() session.Snapshot                { return session.Snapshot{} }
func (idleHandler) Subscribe() (<-chan session.Snapshot, func()) {
	ch := make(chan session.Snapshot, 1)
	ch <- session.Snapshot{}
	return ch, func() {}
}
func (idleHandler) Show() error                                           { return nil }
func (idleHandler) Info(context.Context) Info                             { return Info{} }
func (idleHandler) Quit()                                                 {}
func (idleHandler) ChangeSettings(context.Context, SettingsRequest) error { return nil }
func (idleHandler) StartBreak(context.Context, string) error              { return session.ErrNotLoggedIn }
func (idleHandler) EndBreak(context.Context) error                        { return session.ErrNotLoggedIn }
