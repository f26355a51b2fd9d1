package txn

import (
	"context"
	"fmt"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Read is one action of TransactGetItems.
type Read struct {
	Table *catalog.Table
	Key   value.Item
}

// readAttempts bounds the rounds of TransactGetItems before it gives up
// with TransactionConflict reasons.
const readAttempts = 8

// Get reads items as of one instant (serializable with every transaction)
// and returns them in request order (nil for an absent item). It never
// writes: each attempt reads every item with its version, then reads the
// versions again; it succeeds when nothing was pending and nothing changed.
func (c *Coordinator) Get(ctx context.Context, rs []Read) ([]value.Item, error) {
	var conflicts []bool
	for attempt := 0; attempt < readAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(1<<min(attempt, 6)) * time.Millisecond):
			}
		}
		items, vers, pending, err := c.readRound(ctx, rs)
		if err != nil {
			return nil, err
		}
		conflicts = pending
		if anyTrue(pending) {
			continue
		}
		_, vers2, pending2, err := c.readRound(ctx, rs)
		if err != nil {
			return nil, err
		}
		same := true
		for i := range rs {
			if pending2[i] || vers2[i] != vers[i] {
				conflicts[i], same = true, false
			}
		}
		if same {
			return items, nil
		}
	}
	reasons := make([]Reason, len(rs))
	for i := range reasons {
		reasons[i] = Reason{Code: CodeNone}
		if conflicts[i] {
			reasons[i] = Reason{Code: CodeTransactionConflict, Message: "Transaction is ongoing for the item"}
		}
	}
	return nil, canceled(reasons)
}

func anyTrue(b []bool) bool {
	for _, x := range b {
		if x {
			return true
		}
	}
	return false
}

// readRound reads every item with its version from its partition (one
// consistent Read per partition).
func (c *Coordinator) readRound(ctx context.Context, rs []Read) ([]value.Item, []uint64, []bool, error) {
	items := make([]value.Item, len(rs))
	vers := make([]uint64, len(rs))
	pending := make([]bool, len(rs))
	readers := map[*catalog.Partition]partition.TxnReader{}
	for i, r := range rs {
		p := r.Table.PartitionForKey(r.Key[r.Table.Schema.HashKey])
		rd, ok := readers[p]
		if !ok {
			plain, err := p.Replica.Read(ctx, true)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("txn: read %s: %w", r.Table.Name, err)
			}
			if rd, ok = plain.(partition.TxnReader); !ok {
				return nil, nil, nil, fmt.Errorf("txn: partition reader %T cannot serve transactional reads", plain)
			}
			readers[p] = rd
		}
		items[i], vers[i], pending[i] = rd.ReadTxn(r.Table.Schema.Key(r.Key))
		if err := rd.Err(); err != nil {
			return nil, nil, nil, fmt.Errorf("txn: read %s: %w", r.Table.Name, err)
		}
	}
	return items, vers, pending, nil
}
