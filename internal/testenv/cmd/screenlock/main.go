// Command screenlock tells the app that the screen was locked or unlocked,
// as Windows would: it posts WM_WTSSESSION_CHANGE, with WTS_SESSION_LOCK or
// WTS_SESSION_UNLOCK, to the app's hidden end-session window. Wine never
// sends that message, so tests of the Windows build run this under Wine,
// on the app's desktop (wine explorer /desktop=NAME screenlock.exe lock):
//
//	screenlock lock|unlock [-pid PID]
//
// It exits 0 once posted, 1 when no window of the app was found, 2 on a
// usage error.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	pid := flag.Uint("pid", 0, "only the window of this (Windows) process; 0: the app's, in any process")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: screenlock lock|unlock [-pid PID]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || (flag.Arg(0) != "lock" && flag.Arg(0) != "unlock") {
		flag.Usage()
		os.Exit(2)
	}
	n, err := post(flag.Arg(0) == "lock", uint32(*pid))
	if err != nil {
		fmt.Fprintln(os.Stderr, "screenlock:", err)
		os.Exit(1)
	}
	fmt.Printf("screenlock: %s posted to %d window(s)\n", flag.Arg(0), n)
}
