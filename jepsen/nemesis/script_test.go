package nemesis

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/testport"
)

func TestParseStatus(t *testing.T) {
	nodes, err := parseStatus("n1 az1 http://127.0.0.1:27001 1234\nn2 az2 http://127.0.0.1:27002 -\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 || !nodes[0].Up || nodes[1].Up || nodes[1].Zone != "az2" || nodes[0].URL != "http://127.0.0.1:27001" {
		t.Fatalf("parsed %+v", nodes)
	}
	if _, err := parseStatus("garbage\n"); err == nil {
		t.Fatal("status without nodes accepted")
	}
}

// The adapter drives a real multi-process cluster through
// scripts/cluster.sh: kill -9 makes it unhealthy, restart heals it, and
// the replicas converge.
func TestScriptCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three node processes (skipped with -short)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ddbkit")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ddbkit")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Setenv("DDBKIT_BIN", bin)
	c := &ScriptCluster{Script: filepath.Join(root, "scripts/cluster.sh"), Dir: filepath.Join(dir, "cluster")}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	port := testport.Base(t, 1, 2, 3, 101, 102, 103) // cluster.sh: API P+I, raft P+100+I
	if _, err := c.run(ctx, "start", "--nodes", "3", "--port", itoa(port)); err != nil {
		t.Fatal(err)
	}
	defer c.run(context.Background(), "stop")
	waitHealthy := func() {
		t.Helper()
		var err error
		for ctx.Err() == nil {
			if err = c.Healthy(ctx); err == nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("never healthy: %v", err)
	}
	waitHealthy()
	if nodes := c.Nodes(); len(nodes) != 3 || nodes[2].Zone != "az3" {
		t.Fatalf("nodes %+v", nodes)
	}
	if _, err := c.Leader(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	if err := c.Healthy(ctx); err == nil || !strings.Contains(err.Error(), "down") {
		t.Fatalf("Healthy after kill -9 = %v", err)
	}
	if err := c.PartitionZone(ctx, "az1"); err != ErrUnsupported {
		t.Fatalf("PartitionZone = %v, want ErrUnsupported", err)
	}
	if err := c.Restart(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	waitHealthy()
	if err := c.Pause(ctx, "n3"); err != nil {
		t.Fatal(err)
	}
	if err := c.Heal(ctx); err != nil {
		t.Fatal(err)
	}
	waitHealthy()
	for ctx.Err() == nil {
		if err = c.Converged(ctx); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("replicas never converged: %v", err)
}

func itoa(n int) string { return strconv.Itoa(n) }
