package router

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// answerPeers answers every proposal with resp, as JSON over the wire
// would carry it between processes.
type answerPeers struct{ resp ProposeResponse }

func (a answerPeers) Propose(context.Context, uint64, ProposeRequest) (ProposeResponse, error) {
	b, err := json.Marshal(a.resp)
	if err != nil {
		return ProposeResponse{}, err
	}
	var out ProposeResponse
	return out, json.Unmarshal(b, &out)
}

func (answerPeers) Read(context.Context, uint64, ReadRequest) (ReadResponse, error) {
	return ReadResponse{}, nil
}

// Every field of the leader's partition.Result reaches the proposer: the
// collection size (ItemCollectionMetrics) was once dropped on the way, so
// clusters always reported an empty collection.
func TestProposeCarriesTheWholeResult(t *testing.T) {
	item := value.Item{"pk": value.Str("k"), "n": value.Str("v")}
	rep := testRouter(answerPeers{ProposeResponse{Old: item, New: item, Collection: 4242}}).Replica(7, []uint64{1, 2, 3})
	cmd := &partition.Command{Op: partition.OpPut, Item: item, Key: value.Item{"pk": value.Str("k")}}
	r, err := rep.Propose(context.Background(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if r.Collection != 4242 || r.New == nil || r.Old == nil || r.Err != nil {
		t.Fatalf("result %+v, want the leader's (collection 4242)", r)
	}
}
