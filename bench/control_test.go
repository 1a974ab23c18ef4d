//go:build bench

package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/testenv"
)

// floodClients is how many clients connect to the resident and say
// nothing, as a misbehaving script might.
const floodClients = 5000

// TestBenchControlSocket prints measureControlSocket's table alone: it
// needs neither the floors nor the Windows build.
func TestBenchControlSocket(t *testing.T) {
	res := os.Getenv("UCT_BINARY")
	if res == "" {
		t.Fatal("UCT_BINARY is not set: run `make build` and set it to bin/ucontact-tray")
	}
	b := newBed(t)
	rows := [][]string{{"measure", "app", "floor", "app/floor", "target", "verdict"}}
	rows = append(rows, measureControlSocket(b, binaries{resident: res})...)
	fmt.Printf("\n%s\n", table(rows))
}

// measureControlSocket: the resident's private memory and a status call
// with floodClients idle clients connected, against the same resident
// with none; and how soon the socket answers again once the descriptors
// it ran out of are free.
func measureControlSocket(b *bed, app binaries) [][]string {
	res := b.startResident(app)
	defer res.Stop(stepTimeout)
	client := res.client()
	quiet := statusTimes(b.t, client)
	quietMem := must(b.t, res, readMemory)
	quietFDs := openFiles(b.t, res)

	path := socketPath(b.t, res)
	conns := make([]net.Conn, 0, floodClients)
	for range floodClients {
		c, err := net.Dial("unix", path)
		if err != nil {
			b.t.Fatalf("client %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
	}
	flooded := statusTimes(b.t, client) // the first call is accepted after every flood client
	floodMem := must(b.t, res, readMemory)
	login := res.login(b.plain.URL())
	res.logout()
	for _, c := range conns {
		c.Close()
	}

	// The resident closes its end of each as it sees it closed.
	testenv.WaitFor(b.t, stepTimeout, "the flood's connections to close", func() bool { return openFiles(b.t, res) <= quietFDs })
	back := timeBackAfterExhaustion(b.t, res, client, path)
	return [][]string{
		row(fmt.Sprintf("status with %d idle clients (ms)", floodClients), spread(flooded), spread(quiet),
			ratio(float64(median(flooded)), float64(median(quiet))), "", false),
		row(fmt.Sprintf("private memory with %d idle clients (kB)", floodClients), itoa(floodMem.private), itoa(quietMem.private),
			ratio(float64(floodMem.private), float64(quietMem.private)), "", false),
		row(fmt.Sprintf("Anonymous with %d idle clients (kB)", floodClients), itoa(floodMem.anon), itoa(quietMem.anon),
			ratio(float64(floodMem.anon), float64(quietMem.anon)), "", false),
		row(fmt.Sprintf("login with %d idle clients (ms)", floodClients), ms(login), "", "", "", false),
		row("out of descriptors for 3 s: freed → status answered (ms)", ms(back), "", "", "≤ 1000", back <= time.Second),
	}
}

// statusTimes are the times of 20 status calls.
func statusTimes(t *testing.T, client *control.Client) []time.Duration {
	t.Helper()
	var times []time.Duration
	for range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		began := time.Now()
		_, err := client.Status(ctx)
		times = append(times, time.Since(began))
		cancel()
		if err != nil {
			t.Fatalf("status: %v", err)
		}
	}
	return times
}

func socketPath(t *testing.T, p *proc) string {
	dir, err := control.Dir(p.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	return control.SocketPath(dir)
}

// openFiles is how many file descriptors p has open.
func openFiles(t *testing.T, p *proc) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.PID()))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// timeBackAfterExhaustion lowers the resident's RLIMIT_NOFILE to a few
// descriptors above what it holds, has idle clients take them for 3 s
// (its pause between attempts to accept grows to 1 s), closes them, and
// returns how long a status call then takes.
func timeBackAfterExhaustion(t *testing.T, res *proc, client *control.Client, path string) time.Duration {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Prlimit(res.PID(), unix.RLIMIT_NOFILE, nil, &old); err != nil {
		t.Fatal(err)
	}
	// The soft limit alone: raising it back needs no privilege.
	low := unix.Rlimit{Cur: uint64(openFiles(t, res) + 8), Max: old.Max}
	if err := unix.Prlimit(res.PID(), unix.RLIMIT_NOFILE, &low, nil); err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	for range 40 {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	res.waitLog(`cannot accept connections for now`)
	time.Sleep(3 * time.Second) // a burst that lasts: the pause reaches 1 s
	for _, c := range conns {
		c.Close()
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if _, err := client.Status(ctx); err != nil {
		t.Fatalf("status after the descriptors were freed: %v\n%s", err, res.Output())
	}
	took := time.Since(began)
	if err := unix.Prlimit(res.PID(), unix.RLIMIT_NOFILE, &old, nil); err != nil {
		t.Fatal(err)
	}
	return took
}
