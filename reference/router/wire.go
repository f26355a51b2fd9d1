package router

import (
	"errors"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// ProposeRequest asks a node to propose an encoded partition.Command to its
// replica of Group under the request id (Client, Seq).
type ProposeRequest struct {
	Group  uint64 `json:"group"`
	Client uint64 `json:"client"`
	Seq    uint64 `json:"seq"`
	Cmd    []byte `json:"cmd"`
	// AckBeforeQuorum: UNSAFE, answer once the leader accepted the proposal.
	AckBeforeQuorum bool `json:"unsafeAck,omitempty"`
	// Decoded is Cmd as the proposer holds it decoded (a
	// *partition.Command). It never crosses a process boundary; inside one
	// process it lets the leader apply its proposal without decoding it
	// (replica.Group.ProposeDecoded).
	Decoded any `json:"-"`
}

// ProposeResponse is the outcome of a ProposeRequest.
type ProposeResponse struct {
	Old value.Item `json:"old,omitempty"`
	New value.Item `json:"new,omitempty"`
	Err *WireError `json:"err,omitempty"`
	// Collection is partition.Result.Collection: the size of the written
	// item's collection after the write, on tables with local indexes.
	Collection int64 `json:"coll,omitempty"`
	// Failure says the command was not applied by this node; Retry says
	// how to go on.
	Failure *Failure `json:"failure,omitempty"`
}

// Failure is why a node could not serve a request.
type Failure struct {
	// NotLeader: the node's replica does not lead; Leader is its hint (0 when
	// unknown). Nothing was proposed.
	NotLeader bool   `json:"notLeader,omitempty"`
	Leader    uint64 `json:"leader,omitempty"`
	// NoReplica: the node holds no replica of the group (yet).
	NoReplica bool `json:"noReplica,omitempty"`
	// Behind: the replica had not applied the read's MinApplied in time;
	// ask another replica.
	Behind bool `json:"behind,omitempty"`
	// WrongRange: the partition split; go to its successors.
	WrongRange bool `json:"wrongRange,omitempty"`
	// Unknown: the proposal may or may not be applied; retry with the same
	// id.
	Unknown bool   `json:"unknown,omitempty"`
	Message string `json:"message,omitempty"`
}

// ReadRequest reads a group's state on a node: one key (Get) or a range
// (From, To, Reverse, at most Limit items).
type ReadRequest struct {
	Group      uint64 `json:"group"`
	Consistent bool   `json:"consistent,omitempty"`
	// StaleOK: UNSAFE, serve a consistent read without ReadIndex.
	StaleOK bool   `json:"unsafeStale,omitempty"`
	Get     []byte `json:"get,omitempty"`
	Scan    bool   `json:"scan,omitempty"`
	From    []byte `json:"from,omitempty"`
	To      []byte `json:"to,omitempty"`
	Reverse bool   `json:"reverse,omitempty"`
	Limit   int    `json:"limit,omitempty"`
	// Txn makes a Get a transactional read (partition.TxnReader): the
	// answer carries the item's Version and whether a transaction has a
	// write Pending on it.
	Txn bool `json:"txn,omitempty"`
	// Index makes a Scan read the local secondary index of that name
	// (partition.LocalReader) instead of the table.
	Index string `json:"index,omitempty"`
	// Global makes a Scan read the replica's entries of this global
	// secondary index (partition.GlobalReader), built first if the replica
	// has not; with Limit 1 and no range it is how a node backfills the
	// index on a replica it does not hold.
	Global *partition.IndexSchema `json:"global,omitempty"`
	// MinApplied makes the node wait until its replica applied this index
	// (a read index obtained from the leader) before reading.
	MinApplied uint64 `json:"minApplied,omitempty"`
	// Sizes asks for the replica's partition.Sizes, with the entries of
	// these local and global indexes.
	Sizes *SizesQuery `json:"sizes,omitempty"`
}

// SizesQuery names the indexes whose entries a Sizes read counts.
type SizesQuery struct {
	Local  []string `json:"local,omitempty"`
	Global []string `json:"global,omitempty"`
}

// KeyItem is one item of a range read with its B-tree key.
type KeyItem struct {
	Key  []byte     `json:"k"`
	Item value.Item `json:"i"`
}

// ReadResponse answers a ReadRequest.
type ReadResponse struct {
	Found bool       `json:"found,omitempty"`
	Item  value.Item `json:"item,omitempty"`
	Items []KeyItem  `json:"items,omitempty"`
	More  bool       `json:"more,omitempty"`
	// Version and Pending answer a Txn Get.
	Version uint64 `json:"version,omitempty"`
	Pending bool   `json:"pending,omitempty"`
	// Sizes answers a Sizes read.
	Sizes *partition.Sizes `json:"sizes,omitempty"`
	// Applied is the replica's applied index after the read (after
	// ReadIndex, for a consistent request): a read index for others.
	Applied uint64   `json:"applied,omitempty"`
	Failure *Failure `json:"failure,omitempty"`
}

// WrongRangeType is the error type of a command that reached a partition
// frozen by a split: routers retry it at the successor that owns its key, so
// it never reaches a client.
const WrongRangeType = "ddbkit.WrongRange"

// WireError carries a command's error (a *ddberr.Error, or any other error
// as text) between nodes.
type WireError struct {
	Type    string `json:"type,omitempty"`
	Message string `json:"message"`
}

func toWire(err error) *WireError {
	if err == nil {
		return nil
	}
	var de *ddberr.Error
	if errors.As(err, &de) {
		return &WireError{Type: de.Type, Message: de.Message}
	}
	return &WireError{Message: err.Error()}
}

// Error re-creates the error: a *ddberr.Error when it had a DynamoDB type.
func (w *WireError) Error() error {
	if w == nil {
		return nil
	}
	if w.Type != "" {
		return ddberr.New(w.Type, w.Message)
	}
	return errors.New(w.Message)
}
