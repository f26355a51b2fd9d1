package nemesis

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestScheduleIsDeterministicAndWellFormed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Int64().Draw(t, "seed")
		names := rapid.SliceOfNDistinct(rapid.SampledFrom(ClusterFaults), 1, 5, rapid.ID[string]).Draw(t, "names")
		total := time.Duration(rapid.IntRange(20, 600).Draw(t, "secs")) * time.Second
		o := ScheduleOptions{Quiet: 5 * time.Second, MinFault: 5 * time.Second, MaxFault: 15 * time.Second}
		s, err := NewSchedule(seed, names, total, o)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := NewSchedule(seed, names, total, o)
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("same seed, different schedules")
		}
		if len(s.Faults) == 0 {
			t.Fatalf("no faults in %v", total)
		}
		prevStop := time.Duration(0)
		for _, f := range s.Faults {
			if !slices.Contains(names, f.Name) {
				t.Fatalf("fault %s not asked for", f.Name)
			}
			if f.Start-prevStop < o.Quiet || f.Stop-f.Start < o.MinFault || f.Stop-f.Start > o.MaxFault {
				t.Fatalf("bad window %v after %v", f, prevStop)
			}
			prevStop = f.Stop
		}
		if total-prevStop < o.Quiet {
			t.Fatalf("no quiet end: last stop %v of %v", prevStop, total)
		}
		// every name is used before any repeats
		seen := map[string]bool{}
		for _, f := range s.Faults[:min(len(names), len(s.Faults))] {
			if seen[f.Name] {
				t.Fatalf("%s repeated before every fault ran once", f.Name)
			}
			seen[f.Name] = true
		}
	})
}

func TestParseNames(t *testing.T) {
	cases := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"none", nil, false},
		{"all", ClusterFaults, false},
		{"kill, pause,kill", []string{Kill, Pause}, false},
		{"kill,bogus", nil, true},
	}
	for _, tc := range cases {
		got, err := ParseNames(tc.in, ClusterFaults)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("ParseNames(%q) = %v, %v; want %v (err %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// fakeCluster records the calls a nemesis makes.
type fakeCluster struct {
	mu      sync.Mutex
	calls   []string
	healthy int // Healthy fails this many times first
}

func (c *fakeCluster) rec(format string, args ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprintf(format, args...))
	return nil
}

func (c *fakeCluster) Nodes() []Node {
	return []Node{{"n1", "a"}, {"n2", "b"}, {"n3", "c"}, {"n4", "a"}}
}
func (c *fakeCluster) PartitionZone(_ context.Context, z string) error {
	return c.rec("partition-zone %s", z)
}
func (c *fakeCluster) Isolate(_ context.Context, n string) error { return c.rec("isolate %s", n) }
func (c *fakeCluster) Partition(_ context.Context, g [][]string) error {
	return c.rec("partition %v", g)
}
func (c *fakeCluster) SetLinkFaults(_ context.Context, lf LinkFaults) error {
	return c.rec("links %v %v %v", lf.Loss, lf.Delay, lf.Jitter)
}
func (c *fakeCluster) Heal(context.Context) error                { return c.rec("heal") }
func (c *fakeCluster) Kill(_ context.Context, n string) error    { return c.rec("kill %s", n) }
func (c *fakeCluster) Restart(_ context.Context, n string) error { return c.rec("restart %s", n) }
func (c *fakeCluster) Pause(_ context.Context, n string) error   { return c.rec("pause %s", n) }
func (c *fakeCluster) Resume(_ context.Context, n string) error  { return c.rec("resume %s", n) }
func (c *fakeCluster) Leader(context.Context) (string, error)    { return "n2", nil }
func (c *fakeCluster) Healthy(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.healthy > 0 {
		c.healthy--
		return fmt.Errorf("no leader yet")
	}
	return nil
}

func TestClusterNemesis(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		fault  string
		target string // "" : any
		start  []string
		stop   []string
	}{
		{PartitionLeader, "n2", []string{"isolate n2"}, []string{"heal"}},
		{KillLeader, "n2", []string{"kill n2"}, []string{"restart n2"}},
		{PauseLeader, "n2", []string{"pause n2"}, []string{"resume n2"}},
		{Loss, "", []string{"links 0.2 0s 0s"}, []string{"heal"}},
		{Delay, "", []string{"links 0 50ms 50ms"}, []string{"heal"}},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			c := &fakeCluster{}
			n := NewClusterNemesis(c, ClusterOptions{Seed: 1})
			f := Fault{Name: tc.fault}
			target, err := n.Start(ctx, f)
			if err != nil || (tc.target != "" && target != tc.target) {
				t.Fatalf("start: %q, %v", target, err)
			}
			if !slices.Equal(c.calls, tc.start) {
				t.Fatalf("start calls %v, want %v", c.calls, tc.start)
			}
			c.calls = nil
			f.Target = target
			if err := n.Stop(ctx, f); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.calls, tc.stop) {
				t.Fatalf("stop calls %v, want %v", c.calls, tc.stop)
			}
		})
	}
	// Random targets come from the seed; the same seed picks the same ones.
	picks := func(seed int64) []string {
		c := &fakeCluster{}
		n := NewClusterNemesis(c, ClusterOptions{Seed: seed})
		for _, f := range []string{PartitionZone, PartitionMinority, PartitionHalves, Kill, Pause} {
			if _, err := n.Start(ctx, Fault{Name: f}); err != nil {
				t.Fatal(err)
			}
		}
		return c.calls
	}
	if a, b := picks(7), picks(7); !slices.Equal(a, b) {
		t.Fatalf("same seed, different targets: %v vs %v", a, b)
	}
	// Heal brings back what is down, after the network.
	c := &fakeCluster{healthy: 2}
	n := NewClusterNemesis(c, ClusterOptions{Seed: 1, HealthPoll: time.Millisecond})
	_, _ = n.Start(ctx, Fault{Name: KillLeader})
	c.calls = nil
	if err := n.Heal(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"heal", "restart n2"}; !slices.Equal(c.calls, want) {
		t.Fatalf("heal calls %v, want %v", c.calls, want)
	}
	if err := n.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestHookNemesis(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	h := &HookNemesis{
		StartCmd: `echo "start $DDBKIT_FAULT $DDBKIT_SEED $DDBKIT_FAULT_INDEX" >> ` + log,
		StopCmd:  `echo "stop $DDBKIT_FAULT_INDEX" >> ` + log,
		Seed:     42,
	}
	if !slices.Equal(h.Faults(), []string{Hook}) {
		t.Fatalf("faults %v", h.Faults())
	}
	ctx := t.Context()
	if _, err := h.Start(ctx, Fault{Name: Hook}); err != nil {
		t.Fatal(err)
	}
	if err := h.Heal(ctx); err != nil { // active: runs the stop command
		t.Fatal(err)
	}
	if err := h.Heal(ctx); err != nil { // nothing active: runs nothing
		t.Fatal(err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "start hook 42 0\nstop 0\n"; got != want {
		t.Fatalf("hook log %q, want %q", got, want)
	}
	bad := &HookNemesis{StartCmd: "exit 3"}
	if _, err := bad.Start(ctx, Fault{Name: Hook}); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("failing hook: %v", err)
	}
	if (&HookNemesis{}).Faults() != nil {
		t.Fatal("a hook nemesis without a start command offers faults")
	}
}

type obs struct {
	mu     sync.Mutex
	events []string
}

func (o *obs) FaultStarted(f Fault) {
	o.mu.Lock()
	o.events = append(o.events, "start "+f.Name)
	o.mu.Unlock()
}
func (o *obs) FaultStopped(f Fault) {
	o.mu.Lock()
	o.events = append(o.events, "stop "+f.Name)
	o.mu.Unlock()
}

func TestExecute(t *testing.T) {
	c := &fakeCluster{}
	n := NewClusterNemesis(c, ClusterOptions{Seed: 1})
	s := Schedule{Faults: []Fault{
		{Name: KillLeader, Start: 5 * time.Millisecond, Stop: 15 * time.Millisecond},
		{Name: PartitionLeader, Start: 20 * time.Millisecond, Stop: time.Hour}, // cut short by ctx
	}}
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	o := &obs{}
	done := Execute(ctx, n, s, func() time.Duration { return time.Since(start) }, o, slog.New(slog.DiscardHandler))
	if len(done) != 2 || done[0].Target != "n2" || done[0].Stop < 15*time.Millisecond {
		t.Fatalf("done %+v", done)
	}
	want := []string{"start kill-leader", "stop kill-leader", "start partition-leader", "stop partition-leader"}
	if !slices.Equal(o.events, want) {
		t.Fatalf("events %v", o.events)
	}
	if want := []string{"kill n2", "restart n2", "isolate n2", "heal"}; !slices.Equal(c.calls, want) {
		t.Fatalf("calls %v", c.calls)
	}
}

// flaky fails to start its first two faults.
type flaky struct {
	*ClusterNemesis
	fails int
}

func (f *flaky) Start(ctx context.Context, ft Fault) (string, error) {
	if f.fails > 0 {
		f.fails--
		return "", fmt.Errorf("no leader yet")
	}
	return f.ClusterNemesis.Start(ctx, ft)
}

func TestExecuteRetriesStart(t *testing.T) {
	c := &fakeCluster{}
	n := &flaky{NewClusterNemesis(c, ClusterOptions{Seed: 1}), 2}
	s := Schedule{Faults: []Fault{{Name: PartitionLeader, Start: 0, Stop: 500 * time.Millisecond}}}
	start := time.Now()
	o := &obs{}
	done := Execute(t.Context(), n, s, func() time.Duration { return time.Since(start) }, o, slog.New(slog.DiscardHandler))
	if len(done) != 1 || done[0].Target != "n2" || done[0].Start < 2*retryStart {
		t.Fatalf("done %+v", done)
	}
}

// slowStart takes a while to start a fault and gives up if its context
// ends first, as a hook command (exec.CommandContext) does.
type slowStart struct {
	*ClusterNemesis
	delay time.Duration
}

func (s *slowStart) Start(ctx context.Context, f Fault) (string, error) {
	select {
	case <-time.After(s.delay):
		return s.ClusterNemesis.Start(ctx, f)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// TestExecuteFinishesSlowStart: a fault whose start outlasts the run (a
// slow hook on a loaded machine) is still started, recorded and stopped,
// not killed halfway and lost.
func TestExecuteFinishesSlowStart(t *testing.T) {
	c := &fakeCluster{}
	n := &slowStart{NewClusterNemesis(c, ClusterOptions{Seed: 1}), 150 * time.Millisecond}
	s := Schedule{Faults: []Fault{{Name: KillLeader, Start: 10 * time.Millisecond, Stop: time.Hour}}}
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	o := &obs{}
	done := Execute(ctx, n, s, func() time.Duration { return time.Since(start) }, o, slog.New(slog.DiscardHandler))
	if len(done) != 1 || done[0].Target != "n2" {
		t.Fatalf("done %+v", done)
	}
	if want := []string{"start kill-leader", "stop kill-leader"}; !slices.Equal(o.events, want) {
		t.Fatalf("events %v", o.events)
	}
	if want := []string{"kill n2", "restart n2"}; !slices.Equal(c.calls, want) {
		t.Fatalf("calls %v", c.calls)
	}
}

// skewCluster is a fakeCluster whose clocks can be skewed.
type skewCluster struct{ *fakeCluster }

func (c skewCluster) SetClockRate(_ context.Context, n string, rate float64) error {
	return c.rec("clock %s %v", n, rate)
}

func TestClockSkewLeader(t *testing.T) {
	ctx := t.Context()
	c := skewCluster{&fakeCluster{}}
	n := NewClusterNemesis(c, ClusterOptions{Seed: 1})
	if !slices.Contains(n.Faults(), ClockSkewLeader) {
		t.Fatalf("a ClockSkewer's nemesis does not offer %s: %v", ClockSkewLeader, n.Faults())
	}
	f := Fault{Name: ClockSkewLeader}
	target, err := n.Start(ctx, f)
	if err != nil || target != "n2, clock x0.05" {
		t.Fatalf("start: %q, %v", target, err)
	}
	// The clock slows before the cut, so the leader never counts real
	// time while cut off.
	if want := []string{"clock n2 0.05", "isolate n2"}; !slices.Equal(c.calls, want) {
		t.Fatalf("start calls %v, want %v", c.calls, want)
	}
	c.calls = nil
	f.Target = target
	if err := n.Stop(ctx, f); err != nil {
		t.Fatal(err)
	}
	if want := []string{"clock n1 1", "clock n2 1", "clock n3 1", "clock n4 1", "heal"}; !slices.Equal(c.calls, want) {
		t.Fatalf("stop calls %v, want %v", c.calls, want)
	}
	c.calls = nil
	if err := n.Heal(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"heal", "clock n1 1", "clock n2 1", "clock n3 1", "clock n4 1"}; !slices.Equal(c.calls, want) {
		t.Fatalf("heal calls %v, want %v", c.calls, want)
	}
	n = NewClusterNemesis(c, ClusterOptions{Seed: 1, ClockRate: 0.1})
	c.calls = nil
	if _, err := n.Start(ctx, f); err != nil || c.calls[0] != "clock n2 0.1" {
		t.Fatalf("ClockRate 0.1: calls %v, %v", c.calls, err)
	}
}

// A cluster that cannot skew clocks (the multi-process one) does not offer
// the fault, and refuses it rather than doing nothing.
func TestClockSkewLeaderRefused(t *testing.T) {
	c := &fakeCluster{}
	n := NewClusterNemesis(c, ClusterOptions{Seed: 1})
	if slices.Contains(n.Faults(), ClockSkewLeader) {
		t.Fatalf("offered %s without a ClockSkewer: %v", ClockSkewLeader, n.Faults())
	}
	if _, err := ParseNames(ClockSkewLeader, n.Faults()); err == nil {
		t.Fatalf("--nemesis %s accepted", ClockSkewLeader)
	}
	if _, err := n.Start(t.Context(), Fault{Name: ClockSkewLeader}); err == nil || !strings.Contains(err.Error(), "cannot skew clocks") {
		t.Fatalf("start: %v", err)
	}
	if len(c.calls) != 0 {
		t.Fatalf("a refused fault made calls %v", c.calls)
	}
	if err := n.Heal(t.Context()); err != nil {
		t.Fatal(err)
	}
}
