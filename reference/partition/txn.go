package partition

import (
	"sort"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Transactions, the partition's side (DynamoDB's protocol, USENIX ATC'23
// §3): a coordinator sends each item of a transaction to its partition as a
// Command with Txn set, in two phases, each applied through the partition's
// log like any other write:
//
//   - prepare: the partition checks that no other transaction holds the item
//     (else TransactionConflict), that the transaction's timestamp is newer
//     than the item's last transactional write (timestamp order), and the
//     condition; it computes the item the write would leave and records that
//     as a prepared write, without changing the visible item;
//   - commit installs the prepared item (or deletes it); cancel drops it.
//
// While a write is prepared, plain writes to the item are rejected with
// TransactionConflictException (no waiting: a client retries), and the item
// stays readable at its committed value. Because the prepared item is
// computed at prepare time and nothing else can write the item until commit,
// the committed result is the one the condition was checked against.
//
// A partition remembers the outcome of recent transactions (resolved), so a
// prepare that arrives after its transaction was cancelled (a delayed
// proposal, a recovery that raced a slow coordinator) is refused instead of
// leaving an orphaned prepared write. All of this is part of the state, in
// snapshots too, so every replica agrees.

// TxnPhase is the step of a transaction a command carries.
type TxnPhase uint8

// Transaction phases.
const (
	TxnPrepare TxnPhase = iota + 1
	TxnCommit
	TxnCancel
)

// TxnStep marks a command as one step of transaction ID with timestamp TS.
type TxnStep struct {
	ID    string   `json:"id"`
	TS    uint64   `json:"ts"`
	Phase TxnPhase `json:"phase"`
}

// resolvedWindow is how many transaction outcomes a partition remembers.
const resolvedWindow = 8192

// prepared is a prepared write: the item the transaction will install.
type prepared struct {
	Txn string     `json:"txn"`
	TS  uint64     `json:"ts"`
	Op  Op         `json:"op"`
	Key value.Item `json:"key"`
	New value.Item `json:"new,omitempty"` // nil for Delete and ConditionCheck
}

type txnState struct {
	prepared   map[string]*prepared // by B-tree key
	resolved   map[string]bool      // transaction ID -> committed
	order      []string             // FIFO of resolved IDs
	lastDelete uint64               // log index of the last delete (versions of absent items)
}

func newTxnState() txnState {
	return txnState{prepared: make(map[string]*prepared), resolved: make(map[string]bool)}
}

func (t *txnState) resolve(id string, committed bool) {
	if _, ok := t.resolved[id]; ok {
		return
	}
	t.resolved[id] = committed
	t.order = append(t.order, id)
	if len(t.order) > resolvedWindow {
		delete(t.resolved, t.order[0])
		t.order = t.order[1:]
	}
}

const msgConflict = "Transaction is ongoing for the item"

// ItemTSKey names the item's transaction timestamp in the payload of a
// prepare refused for timestamp order (internal: coordinators never pass
// it on to clients).
const ItemTSKey = "ddbkit.itemTS"

func conflictErr() error { return ddberr.New(ddberr.TransactionConflict, msgConflict) }

// IsConflict reports whether err is a TransactionConflictException.
func IsConflict(err error) bool { return ddberr.TypeOf(err) == ddberr.TransactionConflict }

func (s *State) applyTxn(cmd *Command) Result {
	key := s.schema.Key(cmd.Key)
	t := cmd.Txn
	p := s.txn.prepared[string(key)]
	old, e, found := s.current(key)
	switch t.Phase {
	case TxnPrepare:
		if p != nil {
			if p.Txn == t.ID { // the same prepare again (a retried proposal)
				return Result{Old: old, New: p.New, Collection: s.preparedCollection(p, old)}
			}
			return Result{Old: old, Err: conflictErr()}
		}
		if _, done := s.txn.resolved[t.ID]; done {
			return Result{Old: old, Err: conflictErr()}
		}
		if found && e.ts >= t.TS {
			// Timestamp order: the item was written by a later
			// transaction. The error carries that timestamp so the
			// coordinator can move its clock past it (a retry then
			// succeeds even if its clock is behind another's).
			err := ddberr.New(ddberr.TransactionConflict, msgConflict)
			err.Payload = map[string]any{ItemTSKey: e.ts}
			return Result{Old: old, Err: err}
		}
		next, err := s.compute(cmd, old)
		if err != nil {
			return Result{Old: old, Err: err}
		}
		p := &prepared{Txn: t.ID, TS: t.TS, Op: cmd.Op, Key: cmd.Key, New: next}
		s.txn.prepared[string(key)] = p
		return Result{Old: old, New: next, Collection: s.preparedCollection(p, old)}
	case TxnCommit:
		if p == nil || p.Txn != t.ID {
			s.txn.resolve(t.ID, true)
			return Result{Old: old, New: old} // already committed (a retried commit)
		}
		delete(s.txn.prepared, string(key))
		s.txn.resolve(t.ID, true)
		switch p.Op {
		case OpCheck:
			return Result{Old: old, New: old}
		case OpDelete:
			s.install(key, true, nil, p.TS)
			return Result{Old: old, Collection: s.collectionSize(p.Key)}
		}
		s.install(key, false, p.New, p.TS)
		return Result{Old: old, New: p.New, Collection: s.collectionSize(p.Key)}
	case TxnCancel:
		if p != nil && p.Txn == t.ID {
			delete(s.txn.prepared, string(key))
		}
		s.txn.resolve(t.ID, false)
		return Result{Old: old, New: old}
	}
	return Result{Err: ddberr.Validationf("unknown transaction phase %d", t.Phase)}
}

// preparedCollection returns the size of the item collection of p's key
// once p alone commits over old (0 for a ConditionCheck, which writes
// nothing).
func (s *State) preparedCollection(p *prepared, old value.Item) int64 {
	if p.Op == OpCheck {
		return 0
	}
	return s.collectionAfter(p.Key, old, p.New)
}

// ReadTxn returns the committed item at key, its version, and whether a
// transaction has a write prepared on it. The version changes whenever the
// item is written; for an absent item it is the index of the partition's
// last delete, so absent-then-present-then-absent is seen as a change.
// TransactGetItems reads every item twice and accepts the first round only
// if no version changed and nothing was pending.
func (s *State) ReadTxn(key []byte) (item value.Item, version uint64, pending bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, pending = s.txn.prepared[string(key)]
	if e, ok := s.tree.Get(probe(key)); ok {
		return e.item(), e.ver, pending
	}
	return nil, s.txn.lastDelete, pending
}

// TxnReader is a Reader that can serve TransactGetItems (State implements
// it).
type TxnReader interface {
	Reader
	ReadTxn(key []byte) (item value.Item, version uint64, pending bool)
}

// PreparedTxns returns the IDs of transactions with a write prepared in
// this partition, for tests and admin tools.
func (s *State) PreparedTxns() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.txn.prepared))
	for _, p := range s.txn.prepared {
		out = append(out, p.Txn)
	}
	return out
}

// PreparedCommands returns commands that, applied after the partition's
// items are restored, recreate its prepared transaction writes (a prepared
// Update comes back as a prepare of a Put of the item it computed, which
// commits to the same item). A log compaction that rewrites the state as
// item Puts must append these, or a transaction decided COMMITTED whose
// commit had not reached this partition would lose its write here.
func (s *State) PreparedCommands() []*Command {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, 0, len(s.txn.prepared))
	for k := range s.txn.prepared {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*Command, 0, len(keys))
	for _, k := range keys {
		p := s.txn.prepared[k]
		c := &Command{Op: p.Op, Key: p.Key, Txn: &TxnStep{ID: p.Txn, TS: p.TS, Phase: TxnPrepare}}
		if p.Op == OpUpdate || p.Op == OpPut {
			c.Op, c.Item = OpPut, p.New
		}
		out = append(out, c)
	}
	return out
}

// PreparedWrite describes a prepared transaction write.
type PreparedWrite struct {
	Txn string
	TS  uint64
	Key value.Item
}

// PreparedWrites returns the partition's prepared writes in key order.
func (s *State) PreparedWrites() []PreparedWrite {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, 0, len(s.txn.prepared))
	for k := range s.txn.prepared {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]PreparedWrite, len(keys))
	for i, k := range keys {
		p := s.txn.prepared[k]
		out[i] = PreparedWrite{Txn: p.Txn, TS: p.TS, Key: p.Key}
	}
	return out
}
