package jepsen

import (
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/jepsen/nemesis"
	"github.com/ddbkit/ddbkit/reference/node"
)

// TestClusterTxnSafe: the replicated reference engine's transactions pass
// the bank and list-append checkers while zones are partitioned away and
// nodes are killed and restarted, and the replicas agree afterwards.
func TestClusterTxnSafe(t *testing.T) {
	faults := []string{nemesis.PartitionZone, nemesis.Kill, nemesis.KillLeader}
	for i, w := range []string{Bank, ListAppend} {
		t.Run(w, func(t *testing.T) {
			// Eight accounts for eight clients (with four, most transfers and
			// reads are canceled by conflicts with one another), a second
			// between faults for the cluster to recover and settle the
			// transactions a fault cut off, and a client timeout of a second:
			// on a busy machine shorter ones leave few operations that
			// succeed, and the checkers would judge little.
			tw := clusterTweaks{keys: 8, quiet: time.Second, opTimeout: time.Second}
			res := clusterRunWith(t, w, int64(400+i), faults, 8*time.Second, node.Unsafe{}, tw)
			t.Log(Summary(res))
			if res.Verdict != Valid || res.Replicas != "equal" {
				t.Fatalf("verdict %s, replicas %s", res.Verdict, res.Replicas)
			}
			if len(res.Faults) < 3 {
				t.Fatalf("only %d faults ran", len(res.Faults))
			}
			if res.Stats.ByType["ok"] < 40 {
				t.Fatalf("too few ok operations to mean anything")
			}
			if w == Bank && res.Bank.Reads-res.Bank.FinalReads < 3 {
				t.Fatalf("too few successful reads during the run")
			}
		})
	}
}

// TestClusterTxnUnsafe: with conditions ignored at apply (the engine's
// unsafe mode, which transactions' prepares honour too), transfers
// overdraw accounts and the bank checker sees negative balances.
func TestClusterTxnUnsafe(t *testing.T) {
	res := clusterRun(t, Bank, 420, nil, 4*time.Second, node.Unsafe{SkipConditions: true})
	t.Log(Summary(res))
	if res.Verdict != Invalid {
		t.Fatalf("verdict %s: the skip-conditions mode went unnoticed by the bank", res.Verdict)
	}
}
