package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/testport"
	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/placement"
	"github.com/ddbkit/ddbkit/reference/value"
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
	// cluster.sh lays node I out on ports P+I (API) and P+100+I (raft);
	// node 4 joins later.
	port := fmt.Sprint(testport.Base(t, 1, 2, 3, 4, 101, 102, 103, 104))
	// 16 partitions: a joining az1 node takes about half of them (with 4,
	// none at all 1 time in 16).
	script(t, "start", "--nodes", "3", "--dir", dir, "--port", port, "--", "--partitions", "16")
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

	// cluster.sh join adds a fourth process (az1, round-robin): it joins,
	// replicas move to it, and every acknowledged write reads back through
	// it, also after a kill -9 and restart of it.
	line := strings.Fields(script(t, "join", "--dir", dir))
	if len(line) != 4 || line[0] != "n4" || line[1] != "az1" || line[3] == "-" {
		t.Fatalf("join printed %q: want n4 az1 URL PID", line)
	}
	if st := strings.Split(strings.TrimSpace(script(t, "status", "--dir", dir)), "\n"); len(st) != 4 {
		t.Fatalf("status after join: want 4 lines, got %q", st)
	}
	n4 := line[2]
	settled := func() error {
		st, err := statusOf(n4)
		if err != nil {
			return err
		}
		if len(st.Members) != 4 {
			return fmt.Errorf("node 4 knows %d members", len(st.Members))
		}
		ring, err := placement.New([]placement.Node{{ID: 1, Zone: "az1"}, {ID: 2, Zone: "az2"}, {ID: 3, Zone: "az3"}, {ID: 4, Zone: "az1"}}, placement.Options{})
		if err != nil {
			return err
		}
		placed := 0
		for _, ts := range st.Tables {
			for _, p := range ts.Partitions {
				if p.Moving != nil {
					return fmt.Errorf("partition %d moving", p.ID)
				}
				here := slices.Contains(ring.Place(value.Mix64(node.GroupID(ts.ID, p.ID))), placement.NodeID(4))
				if here {
					placed++
				}
				if (p.Local != nil) != here {
					return fmt.Errorf("partition %d: held by node 4 %v, placed there by the ring %v", p.ID, p.Local != nil, here)
				}
			}
		}
		if placed == 0 {
			return fmt.Errorf("the ring places no partition on node 4")
		}
		return nil
	}
	eventually(t, "node 4 to join and take its replicas", 60*time.Second, settled)
	checkAll(t, n4, "procs", acked)
	script(t, "restart", "n4", "--dir", dir)
	eventually(t, "node 4 back after a restart", 30*time.Second, settled)
	checkAll(t, n4, "procs", acked)
}
