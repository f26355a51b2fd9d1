package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// script runs scripts/cluster.sh with args and returns its output.
func script(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("../../scripts/cluster.sh", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// The multi-process cluster of scripts/cluster.sh: kill -9 of every node
// process in the middle of a load, then restart: no acknowledged write is
// lost. Skipped with -short (it builds the binary and runs 3 processes).
func TestScriptClusterKillAllMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process cluster: skipped with -short")
	}
	dir, err := filepath.Abs(fmt.Sprintf("../../var/test-cluster-%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command("../../scripts/cluster.sh", "stop", "--dir", dir).Run()
		_ = os.RemoveAll(dir)
	})
	port := fmt.Sprint(30000 + (os.Getpid()%100)*200)
	script(t, "start", "--nodes", "3", "--dir", dir, "--port", port)
	status := script(t, "status", "--dir", dir)
	lines := strings.Split(strings.TrimSpace(status), "\n")
	if len(lines) != 3 {
		t.Fatalf("status: want 3 lines, got\n%s", status)
	}
	var urls []string
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 || f[0] != fmt.Sprintf("n%d", i+1) || f[1] != fmt.Sprintf("az%d", i+1) || f[3] == "-" {
			t.Fatalf("status line %q: want nI azI URL PID", l)
		}
		urls = append(urls, f[2])
	}
	createTable(t, client(t, urls[0]), "procs")
	time.Sleep(500 * time.Millisecond) // partition groups elect leaders
	stop := make(chan struct{})
	var waits []func() []string
	for _, u := range urls {
		waits = append(waits, load(t, u, "procs", 3, 300, stop))
	}
	time.Sleep(time.Second)
	for i := range urls {
		script(t, "kill", fmt.Sprintf("n%d", i+1), "--dir", dir)
	}
	if st := script(t, "status", "--dir", dir); strings.Count(st, " -\n") != 3 {
		t.Fatalf("after kill, every PID should be -:\n%s", st)
	}
	for i := range urls {
		script(t, "restart", fmt.Sprintf("n%d", i+1), "--dir", dir)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	var acked []string
	for _, w := range waits {
		acked = append(acked, w()...)
	}
	if len(acked) < 20 {
		t.Fatalf("only %d writes acknowledged: the load did not run", len(acked))
	}
	checkAll(t, urls[1], "procs", acked)
	t.Logf("%d acknowledged writes survived kill -9 of every node process", len(acked))
}
