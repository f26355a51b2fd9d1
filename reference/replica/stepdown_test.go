package replica

import (
	"context"
	"testing"
	"time"
)

// TestDeposedLeaderStopsWithinElectionTimeoutInTicks drives raft time by
// hand: after the leader is cut off, count ticks until it stops serving
// and until the majority elects a new leader. Raft's CheckQuorum alone
// looks at whole election-timeout periods (up to two timeouts to step
// down); the group's sliding-window check stops the leader one election
// timeout after it last heard from a quorum, which is no later than the
// majority can elect a successor (followers need an election timeout of
// silence, PreVote). Even before, without leases, it could neither commit
// nor serve a ReadIndex.
func TestDeposedLeaderStopsWithinElectionTimeoutInTicks(t *testing.T) {
	clock := &ManualClock{}
	h := newHarness(t, 111, func(o *Options) { o.Clock = clock })
	// Elect a leader by ticking.
	var lead uint64
	for i := 0; i < 1000 && lead == 0; i++ {
		clock.Tick()
		time.Sleep(time.Millisecond)
		for id := uint64(1); id <= 3; id++ {
			if h.group(id).Status().IsLeader {
				lead = id
			}
		}
	}
	if lead == 0 {
		t.Fatal("no leader after 1000 ticks")
	}
	// Let the followers learn of it, then cut it away.
	for i := 0; i < 3; i++ {
		clock.Tick()
		time.Sleep(time.Millisecond)
	}
	h.net.PartitionZones(otherZones(lead), []string{zoneOf(lead)})
	et := h.opts.ElectionTicks
	stepDown, elected := -1, -1
	for tick := 1; tick <= 10*et && (stepDown < 0 || elected < 0); tick++ {
		clock.Tick()
		time.Sleep(2 * time.Millisecond)
		if stepDown < 0 && !h.group(lead).Status().IsLeader {
			stepDown = tick
		}
		for _, id := range othersThan(lead) {
			if elected < 0 && h.group(id).Status().IsLeader {
				elected = tick
			}
		}
	}
	t.Logf("election timeout %d ticks: old leader stopped serving after %d ticks, new leader after %d", et, stepDown, elected)
	if stepDown < 0 || stepDown > et+1 {
		t.Fatalf("old leader stopped serving after %d ticks, want within an election timeout (%d)", stepDown, et)
	}
	if elected < 0 {
		t.Fatal("majority elected no leader")
	}
	// The followers' silence began with the last heartbeat they received,
	// which may have left up to one heartbeat interval before the cut (the
	// one of the cut's own tick can be dropped by it).
	if silence := et - h.opts.HeartbeatTicks; elected < silence {
		t.Fatalf("new leader after %d ticks, before an election timeout (%d) of silence since the last heartbeat (%d ticks before the cut at most)", elected, et, h.opts.HeartbeatTicks)
	}
	if stepDown > elected+1 {
		t.Fatalf("old leader served until tick %d, after the new leader's election at %d", stepDown, elected)
	}
	// The old leader acknowledges nothing, even before it steps down.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.group(lead).Propose(ctx, []byte("x=1")); err == nil {
		t.Fatal("cut-off old leader acknowledged a write")
	}
}

// TestLeaderResumesServingAfterShortCut: a cut just long enough for the
// leader to stop serving, healed before anyone else could take over, must
// not leave the group without a serving leader.
func TestLeaderResumesServingAfterShortCut(t *testing.T) {
	clock := &ManualClock{}
	h := newHarness(t, 112, func(o *Options) { o.Clock = clock; o.ElectionTicks = 20 })
	tick := func(n int) {
		for i := 0; i < n; i++ {
			clock.Tick()
			time.Sleep(time.Millisecond)
		}
	}
	var lead uint64
	for i := 0; i < 1000 && lead == 0; i++ {
		tick(1)
		for id := uint64(1); id <= 3; id++ {
			if h.group(id).Status().IsLeader {
				lead = id
			}
		}
	}
	if lead == 0 {
		t.Fatal("no leader")
	}
	tick(3)
	// Cut only the followers' answers: they keep hearing heartbeats and do
	// not campaign, while the leader hears nothing.
	for _, f := range othersThan(lead) {
		h.net.Cut(f, lead)
	}
	for i := 0; i < 100 && h.group(lead).Status().IsLeader; i++ {
		tick(1)
	}
	if h.group(lead).Status().IsLeader {
		t.Fatal("leader kept serving without hearing from a quorum")
	}
	h.net.Heal()
	served := false
	for i := 0; i < 200 && !served; i++ {
		tick(1)
		for id := uint64(1); id <= 3; id++ {
			if h.group(id).Status().IsLeader {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				go func() { // ticks keep flowing while the write waits
					for ctx.Err() == nil {
						tick(1)
					}
				}()
				_, err := h.group(id).Propose(ctx, []byte("after=cut"))
				cancel()
				served = served || err == nil
			}
		}
	}
	if !served {
		t.Fatal("no leader served after the cut healed")
	}
}
