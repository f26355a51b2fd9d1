package nemesis

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
)

// ScriptCluster is the Cluster of a multi-process reference cluster run by
// scripts/cluster.sh: one `ddbkit serve --node-id` process per node on
// loopback. Process faults go through the script (kill -9, restart from the
// data directory, SIGSTOP, SIGCONT); leaders, health and replica digests come
// from each node's /admin/status. The processes share the loopback
// interface, so network faults (partitions, loss, delay) are not available
// here: they return ErrUnsupported, and a nemesis schedule should use the
// process faults (kill, kill-leader, pause, pause-leader) or the embedded
// cluster, whose in-process network can be partitioned.
type ScriptCluster struct {
	// Script is the path of scripts/cluster.sh; Dir its --dir.
	Script, Dir string
	// HTTP is the client for /admin/status (default http.DefaultClient).
	HTTP *http.Client
}

// ErrUnsupported is returned for faults a cluster cannot inject.
var ErrUnsupported = errors.New("nemesis: fault not supported by this cluster")

type scriptNode struct {
	Node
	URL string
	Up  bool
}

func (s *ScriptCluster) run(ctx context.Context, args ...string) (string, error) {
	args = append([]string{s.Script}, args...)
	args = append(args, "--dir", s.Dir)
	cmd := exec.CommandContext(ctx, "bash", args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("nemesis: cluster.sh %s: %w: %s", strings.Join(args[1:], " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// status parses `cluster.sh status`: NAME ZONE URL PID per line.
func (s *ScriptCluster) status(ctx context.Context) ([]scriptNode, error) {
	out, err := s.run(ctx, "status")
	if err != nil {
		return nil, err
	}
	return parseStatus(out)
}

func parseStatus(out string) ([]scriptNode, error) {
	var nodes []scriptNode
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 {
			continue
		}
		nodes = append(nodes, scriptNode{Node: Node{ID: f[0], Zone: f[1]}, URL: f[2], Up: f[3] != "-"})
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("nemesis: cluster.sh status listed no nodes")
	}
	return nodes, nil
}

// Nodes implements Cluster (nil if the script cannot be asked).
func (s *ScriptCluster) Nodes() []Node {
	nodes, err := s.status(context.Background())
	if err != nil {
		return nil
	}
	out := make([]Node, len(nodes))
	for i, n := range nodes {
		out[i] = n.Node
	}
	return out
}

// URLs returns the nodes' DynamoDB endpoints, in node order.
func (s *ScriptCluster) URLs(ctx context.Context) ([]string, error) {
	nodes, err := s.status(ctx)
	if err != nil {
		return nil, err
	}
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		urls[i] = n.URL
	}
	return urls, nil
}

// PartitionZone, Isolate, Partition and SetLinkFaults are not available on
// processes that share loopback.
func (s *ScriptCluster) PartitionZone(context.Context, string) error     { return ErrUnsupported }
func (s *ScriptCluster) Isolate(context.Context, string) error           { return ErrUnsupported }
func (s *ScriptCluster) Partition(context.Context, [][]string) error     { return ErrUnsupported }
func (s *ScriptCluster) SetLinkFaults(context.Context, LinkFaults) error { return ErrUnsupported }

// Heal resumes paused nodes (there are no network faults to remove).
func (s *ScriptCluster) Heal(ctx context.Context) error {
	nodes, err := s.status(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range nodes {
		if n.Up {
			if _, err := s.run(ctx, "resume", n.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Kill implements Cluster with kill -9.
func (s *ScriptCluster) Kill(ctx context.Context, node string) error {
	_, err := s.run(ctx, "kill", node)
	return err
}

// Restart implements Cluster.
func (s *ScriptCluster) Restart(ctx context.Context, node string) error {
	_, err := s.run(ctx, "restart", node)
	return err
}

// Pause implements Cluster with SIGSTOP.
func (s *ScriptCluster) Pause(ctx context.Context, node string) error {
	_, err := s.run(ctx, "pause", node)
	return err
}

// Resume implements Cluster with SIGCONT.
func (s *ScriptCluster) Resume(ctx context.Context, node string) error {
	_, err := s.run(ctx, "resume", node)
	return err
}

// adminStatus is the part of a node's /admin/status this adapter reads.
type adminStatus struct {
	Tables []struct {
		Name       string `json:"name"`
		Partitions []struct {
			Group uint64 `json:"group"`
			Local *struct {
				Leader   uint64 `json:"leader"`
				IsLeader bool   `json:"isLeader"`
				Applied  uint64 `json:"applied"`
				Digest   string `json:"digest"`
			} `json:"local"`
		} `json:"partitions"`
	} `json:"tables"`
}

func (s *ScriptCluster) admin(ctx context.Context, url string, digests bool) (*adminStatus, error) {
	u := strings.TrimSuffix(url, "/") + "/admin/status"
	if !digests {
		u += "?digests=false"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	hc := s.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nemesis: %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("nemesis: %s: HTTP %d", u, resp.StatusCode)
	}
	var st adminStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("nemesis: decode %s: %w", u, err)
	}
	return &st, nil
}

// Leader returns the node leading the most partitions.
func (s *ScriptCluster) Leader(ctx context.Context) (string, error) {
	nodes, err := s.status(ctx)
	if err != nil {
		return "", err
	}
	best, most := "", -1
	for _, n := range nodes {
		if !n.Up {
			continue
		}
		st, err := s.admin(ctx, n.URL, false)
		if err != nil {
			continue
		}
		led := 0
		for _, t := range st.Tables {
			for _, p := range t.Partitions {
				if p.Local != nil && p.Local.IsLeader {
					led++
				}
			}
		}
		if led > most {
			best, most = n.ID, led
		}
	}
	if best == "" {
		return "", fmt.Errorf("nemesis: no node answers /admin/status")
	}
	return best, nil
}

// Healthy returns nil when every node is up and answers, and every
// partition it holds knows a leader.
func (s *ScriptCluster) Healthy(ctx context.Context) error {
	nodes, err := s.status(ctx)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if !n.Up {
			return fmt.Errorf("nemesis: node %s is down", n.ID)
		}
		st, err := s.admin(ctx, n.URL, false)
		if err != nil {
			return err
		}
		for _, t := range st.Tables {
			for _, p := range t.Partitions {
				if p.Local != nil && p.Local.Leader == 0 {
					return fmt.Errorf("nemesis: %s: partition group %d of %s has no leader", n.ID, p.Group, t.Name)
				}
			}
		}
	}
	return nil
}

// Converged returns nil when, for every partition group, every node holding
// a replica reports the same applied data digest.
func (s *ScriptCluster) Converged(ctx context.Context) error {
	nodes, err := s.status(ctx)
	if err != nil {
		return err
	}
	digests := map[uint64]map[string]string{} // group -> node -> digest
	for _, n := range nodes {
		st, err := s.admin(ctx, n.URL, true)
		if err != nil {
			return err
		}
		for _, t := range st.Tables {
			for _, p := range t.Partitions {
				if p.Local == nil {
					continue
				}
				if digests[p.Group] == nil {
					digests[p.Group] = map[string]string{}
				}
				digests[p.Group][n.ID] = p.Local.Digest
			}
		}
	}
	for g, byNode := range digests {
		var first string
		for node, d := range byNode {
			if first == "" {
				first = d
			} else if d != first {
				return fmt.Errorf("nemesis: partition group %d: replicas disagree (%s has %.12s)", g, node, d)
			}
		}
	}
	return nil
}

var _ Cluster = (*ScriptCluster)(nil)

// ProcessFaults are the cluster faults a ScriptCluster can inject.
var ProcessFaults = []string{Kill, KillLeader, Pause, PauseLeader}

// Restricted limits a nemesis to some of its faults (e.g. a ClusterNemesis
// over a ScriptCluster to ProcessFaults), so "all" means what it can do.
type Restricted struct {
	Nemesis
	Only []string
}

// Faults implements Nemesis.
func (r Restricted) Faults() []string {
	var out []string
	for _, f := range r.Nemesis.Faults() {
		for _, o := range r.Only {
			if f == o {
				out = append(out, f)
			}
		}
	}
	return out
}
