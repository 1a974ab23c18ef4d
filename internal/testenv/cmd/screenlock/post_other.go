//go:build !windows

package main

import "errors"

func post(bool, uint32) (int, error) {
	return 0, errors.New("only Windows has the window to post to")
}
