package txn

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// LedgerTable is the name of the ledger's system table. The ':' makes it a
// name no request can spell (table names match [a-zA-Z0-9_.-]+).
const LedgerTable = "ddbkit:txn-ledger"

// Transaction states in the ledger.
const (
	statePending   = "PENDING"
	stateCommitted = "COMMITTED"
	stateCancelled = "CANCELLED"
)

// record is one ledger entry: a transaction and the items it touches.
type record struct {
	ID      string
	State   string
	TS      uint64
	Started int64 // unix nanoseconds, coordinator clock
	Items   []itemRef
}

// itemRef names one item of a transaction: table (name and ID, so a table
// recreated under the same name is not mistaken for the old one) and key.
type itemRef struct {
	Table, TableID string
	Key            value.Item
}

func (r *record) item() value.Item {
	items := make([]value.Value, len(r.Items))
	for i, it := range r.Items {
		items[i] = value.Map(map[string]value.Value{
			"t": value.Str(it.Table), "i": value.Str(it.TableID), "k": value.Map(it.Key),
		})
	}
	return value.Item{
		"id":      value.Str(r.ID),
		"state":   value.Str(r.State),
		"ts":      value.Num(strconv.FormatUint(r.TS, 10)),
		"started": value.Num(strconv.FormatInt(r.Started, 10)),
		"items":   value.List(items...),
	}
}

func parseRecord(it value.Item) (*record, error) {
	r := &record{ID: it["id"].Str, State: it["state"].Str}
	var err error
	if r.TS, err = strconv.ParseUint(it["ts"].Str, 10, 64); err != nil {
		return nil, fmt.Errorf("txn: ledger record %s: ts: %w", r.ID, err)
	}
	if r.Started, err = strconv.ParseInt(it["started"].Str, 10, 64); err != nil {
		return nil, fmt.Errorf("txn: ledger record %s: started: %w", r.ID, err)
	}
	for _, v := range it["items"].List {
		r.Items = append(r.Items, itemRef{Table: v.Map["t"].Str, TableID: v.Map["i"].Str, Key: v.Map["k"].Map})
	}
	return r, nil
}

// ledger is the transaction ledger over its system table.
type ledger struct{ cat *catalog.Catalog }

// table returns the ledger table, creating it on first use.
func (l ledger) table() (*catalog.Table, error) { return systemTable(l.cat, LedgerTable, "id") }

// systemTable returns the named system table (string hash key only),
// creating it on first use. System tables are partitioned and replicated
// like any table (the catalog's ReplicaFactory makes their replicas).
func systemTable(cat *catalog.Catalog, name, hashKey string) (*catalog.Table, error) {
	if t, err := cat.Get(name); err == nil {
		return t, nil
	}
	t, err := cat.Create(&catalog.Table{
		Name:        name,
		Schema:      partition.KeySchema{HashKey: hashKey, HashType: value.S},
		Attributes:  []catalog.AttributeDefinition{{Name: hashKey, Type: value.S}},
		BillingMode: catalog.PayPerRequest,
		System:      true,
	})
	if ddberr.TypeOf(err) == ddberr.ResourceInUse { // created concurrently
		return cat.Get(name)
	}
	return t, err
}

func (l ledger) propose(ctx context.Context, cmd *partition.Command) (partition.Result, error) {
	t, err := l.table()
	if err != nil {
		return partition.Result{}, fmt.Errorf("txn: ledger: %w", err)
	}
	return t.PartitionForKey(cmd.Key["id"]).Replica.Propose(ctx, cmd)
}

// begin writes a new PENDING record.
func (l ledger) begin(ctx context.Context, r *record) error {
	res, err := l.propose(ctx, &partition.Command{
		Op: partition.OpPut, Key: value.Item{"id": value.Str(r.ID)}, Item: r.item(),
		Condition: "attribute_not_exists(id)",
	})
	if err == nil {
		err = res.Err
	}
	if err != nil {
		return fmt.Errorf("txn: ledger begin %s: %w", r.ID, err)
	}
	return nil
}

// errDecided means another party decided the transaction first.
var errDecided = errors.New("txn: transaction already decided")

// decide moves a PENDING record to state. It returns errDecided, with the
// state found, when the record is no longer PENDING (or is gone: finished).
func (l ledger) decide(ctx context.Context, id, state string) (string, error) {
	res, err := l.propose(ctx, &partition.Command{
		Op: partition.OpUpdate, Key: value.Item{"id": value.Str(id)},
		Condition: "#s = :p", Update: "SET #s = :n",
		Names:  map[string]string{"#s": "state"},
		Values: map[string]value.Value{":p": value.Str(statePending), ":n": value.Str(state)},
	})
	if err != nil {
		return "", fmt.Errorf("txn: ledger decide %s: %w", id, err)
	}
	if res.Err != nil {
		if ddberr.TypeOf(res.Err) == ddberr.ConditionalCheckFailed {
			if res.Old == nil {
				return "", errDecided
			}
			return res.Old["state"].Str, errDecided
		}
		return "", fmt.Errorf("txn: ledger decide %s: %w", id, res.Err)
	}
	return state, nil
}

// remove deletes a finished record.
func (l ledger) remove(ctx context.Context, id string) error {
	res, err := l.propose(ctx, &partition.Command{Op: partition.OpDelete, Key: value.Item{"id": value.Str(id)}})
	if err == nil {
		err = res.Err
	}
	if err != nil {
		return fmt.Errorf("txn: ledger remove %s: %w", id, err)
	}
	return nil
}

// scan returns every record in the ledger (consistent reads); none when
// no transaction ever ran.
func (l ledger) scan(ctx context.Context) ([]*record, error) {
	t, err := l.cat.Get(LedgerTable)
	if err != nil {
		return nil, nil
	}
	var out []*record
	for _, p := range t.Partitions {
		rd, err := p.Replica.Read(ctx, true)
		if err != nil {
			return nil, fmt.Errorf("txn: ledger scan: %w", err)
		}
		var perr error
		rd.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
			r, err := parseRecord(it)
			if err != nil {
				perr = err
				return false
			}
			out = append(out, r)
			return true
		})
		if err := rd.Err(); err != nil {
			return nil, fmt.Errorf("txn: ledger scan: %w", err)
		}
		if perr != nil {
			return nil, perr
		}
	}
	return out, nil
}
