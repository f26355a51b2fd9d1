package cluster

import (
	"encoding/json"
	"fmt"
	"net/http"
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

// statusOf fetches a node's /admin/status.
func statusOf(url string) (node.Status, error) {
	var st node.Status
	resp, err := http.Get(url + "/admin/status")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&st)
	return st, err
}

// A multi-process cluster (one `ddbkit serve --node-id` process per node,
// raft over TCP) grows by one process started with --join: it records its
// membership itself, the founders learn its addresses from the catalog,
// and the replicas the ring places on it move there; every acknowledged
// write is readable through it and the replicas' digests agree. Skipped
// with -short (it builds the binary and runs 4 processes).
func TestProcessClusterJoin(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process cluster: skipped with -short")
	}
	dir, err := filepath.Abs(fmt.Sprintf("../../var/test-join-%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	bin := filepath.Join(dir, "ddbkit")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/ddbkit").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// Node I serves the API on base+I and raft on base+20+I.
	base := testport.Base(t, 1, 2, 3, 4, 21, 22, 23, 24)
	peer := func(id int) string {
		return fmt.Sprintf("%d/az%d/127.0.0.1:%d/127.0.0.1:%d", id, (id-1)%3+1, base+id, base+20+id)
	}
	url := func(id int) string { return fmt.Sprintf("http://127.0.0.1:%d", base+id) }
	founders := strings.Join([]string{peer(1), peer(2), peer(3)}, ",")
	start := func(id int, peers string, extra ...string) {
		args := append([]string{"serve", "--node-id", fmt.Sprint(id), "--peers", peers, "--partitions", "8",
			"--data", filepath.Join(dir, fmt.Sprintf("n%d", id))}, extra...)
		cmd := exec.Command(bin, args...)
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("n%d.log", id)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			_ = logf.Close()
		})
	}
	for id := 1; id <= 3; id++ {
		start(id, founders)
	}
	eventually(t, "the founders to serve", 30*time.Second, func() error {
		for id := 1; id <= 3; id++ {
			if _, err := statusOf(url(id)); err != nil {
				return err
			}
		}
		return nil
	})
	createTable(t, client(t, url(1)), "procjoin")
	time.Sleep(500 * time.Millisecond) // partition groups elect leaders
	stop := make(chan struct{})
	wait := load(t, url(2), "procjoin", 3, 150, stop)
	time.Sleep(300 * time.Millisecond)

	start(4, founders+","+peer(4), "--join")
	members := []placement.Node{{ID: 1, Zone: "az1"}, {ID: 2, Zone: "az2"}, {ID: 3, Zone: "az3"}, {ID: 4, Zone: "az1"}}
	ring, err := placement.New(members, placement.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var moved int
	eventually(t, "the replicas to reach the ring's placement with node 4", 60*time.Second, func() error {
		moved = 0
		for id := 1; id <= 4; id++ {
			st, err := statusOf(url(id))
			if err != nil {
				return err
			}
			if len(st.Members) != 4 {
				return fmt.Errorf("node %d knows %d members", id, len(st.Members))
			}
			for _, ts := range st.Tables {
				for _, p := range ts.Partitions {
					if p.Moving != nil {
						return fmt.Errorf("node %d: partition %d moving", id, p.ID)
					}
					var want, got []uint64
					for _, n := range ring.Place(value.Mix64(node.GroupID(ts.ID, p.ID))) {
						want = append(want, uint64(n))
					}
					for _, r := range p.Replicas {
						got = append(got, r.Node)
					}
					if !sameSet(got, want) {
						return fmt.Errorf("node %d: partition %d on %v, ring %v", id, p.ID, got, want)
					}
					if id == 4 && slices.Contains(want, 4) {
						moved++
						if p.Local == nil || p.Local.Items == 0 {
							return fmt.Errorf("node 4 holds no data of partition %d yet", p.ID)
						}
					}
					if (p.Local != nil) != slices.Contains(want, uint64(id)) {
						return fmt.Errorf("node %d: partition %d held here %v, placed here %v", id, p.ID, p.Local != nil, slices.Contains(want, uint64(id)))
					}
				}
			}
		}
		return nil
	})
	close(stop)
	acked := wait()
	if len(acked) < 20 {
		t.Fatalf("only %d writes acknowledged: the load did not run", len(acked))
	}
	if moved == 0 {
		t.Fatal("no replica moved to node 4")
	}
	checkAll(t, url(4), "procjoin", acked)
	eventually(t, "equal digests", 30*time.Second, func() error {
		digests := map[uint64]map[string]bool{}
		for id := 1; id <= 4; id++ {
			st, err := statusOf(url(id))
			if err != nil {
				return err
			}
			for _, ts := range st.Tables {
				for _, p := range ts.Partitions {
					if p.Local != nil {
						if digests[p.Group] == nil {
							digests[p.Group] = map[string]bool{}
						}
						digests[p.Group][p.Local.Digest] = true
					}
				}
			}
		}
		for g, ds := range digests {
			if len(ds) != 1 {
				return fmt.Errorf("group %d: %d different digests", g, len(ds))
			}
		}
		return nil
	})
	t.Logf("%d of 8 partitions moved to the joined process; %d acknowledged writes read back through it", moved, len(acked))
}
