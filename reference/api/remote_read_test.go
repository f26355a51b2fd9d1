package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/replica"
	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/txn"
	"github.com/ddbkit/ddbkit/reference/value"
)

// remoteOnlyNode is a storage node that holds no replica: every read of
// the handler goes to other nodes through the router.
type remoteOnlyNode struct{}

func (remoteOnlyNode) ID() uint64                            { return 9 }
func (remoteOnlyNode) Group(uint64) (*replica.Group, bool)   { return nil, false }
func (remoteOnlyNode) State(uint64) (*partition.State, bool) { return nil, false }
func (remoteOnlyNode) Frozen(uint64) bool                    { return false }

// stuckPeers are nodes whose leader confirms read indexes but whose
// replicas never answer a read of data (nor a write): each such call waits
// out its attempt.
type stuckPeers struct{}

func (stuckPeers) Propose(ctx context.Context, _ uint64, _ router.ProposeRequest) (router.ProposeResponse, error) {
	<-ctx.Done()
	return router.ProposeResponse{}, ctx.Err()
}

func (stuckPeers) Read(ctx context.Context, node uint64, req router.ReadRequest) (router.ReadResponse, error) {
	if req.Consistent && req.Get == nil && !req.Scan { // ReadIndex
		if node != 1 {
			return router.ReadResponse{Failure: &router.Failure{NotLeader: true, Leader: 1}}, nil
		}
		return router.ReadResponse{Applied: 5}, nil
	}
	<-ctx.Done()
	return router.ReadResponse{}, ctx.Err()
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// unreachableEngine returns a handler whose partitions are replicated on
// other nodes whose replicas never answer a read (their leaders do confirm
// read indexes, so consistent reads get as far as reading), with a table "tab" (TTL on), the
// transaction ledger and the client-token table, and its log.
func unreachableEngine(t *testing.T) (*Handler, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt := router.New(router.Options{Local: remoteOnlyNode{}, Peers: stuckPeers{}, Client: 1, Logger: log,
		Timeout: 60 * time.Millisecond, AttemptTimeout: 20 * time.Millisecond})
	var mu sync.Mutex
	group := uint64(0)
	cat := catalog.New(catalog.Options{Partitions: 2, Replicas: func(*catalog.Table, *catalog.Partition) (partition.Replica, error) {
		mu.Lock()
		defer mu.Unlock()
		group++
		return rt.Replica(group, []uint64{1, 2, 3}), nil
	}})
	for _, tab := range []struct{ name, key, ttl string }{{"tab", "pk", "exp"}, {txn.LedgerTable, "id", ""}, {txn.TokensTable, "token", ""}} {
		if _, err := cat.Create(&catalog.Table{Name: tab.name, Schema: partition.KeySchema{HashKey: tab.key, HashType: value.S},
			Attributes: []catalog.AttributeDefinition{{Name: tab.key, Type: value.S}}, BillingMode: catalog.PayPerRequest,
			System: strings.HasPrefix(tab.name, "ddbkit:"), TTLAttribute: tab.ttl}); err != nil {
			t.Fatal(err)
		}
	}
	h := New(cat, Options{Logger: log, Background: Background{Disabled: true}})
	t.Cleanup(func() { _ = h.Close() })
	return h, logs
}

// A read whose partition's replicas do not answer in time is answered as
// an InternalServerError, by an error the handler returns rather than a
// panic it recovers.
func TestUnreachableReplicaReadIsInternalServerError(t *testing.T) {
	h, logs := unreachableEngine(t)
	key := `{"pk":{"S":"a"}}`
	cases := []struct{ op, body string }{
		{"GetItem", `{"TableName":"tab","Key":` + key + `}`},
		{"GetItem", `{"TableName":"tab","Key":` + key + `,"ConsistentRead":true}`},
		{"BatchGetItem", `{"RequestItems":{"tab":{"Keys":[` + key + `]}}}`},
		{"Query", `{"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`},
		{"Scan", `{"TableName":"tab"}`},
		{"TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"tab","Key":` + key + `}}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			status, out, _ := call(t, h, "DynamoDB_20120810."+tc.op, tc.body)
			if status != 500 || errType(out) != "InternalServerError" {
				t.Fatalf("%s: %d %v, want 500 InternalServerError", tc.op, status, out)
			}
		})
	}
	if l := logs.String(); strings.Contains(l, "panic") {
		t.Fatalf("a read failure went through a panic:\n%s", l)
	}
}

// The background passes (transaction recovery's ledger scan, client-token
// expiry, the TTL sweeper) survive reads that time out: each pass logs the
// error and the next one runs; nothing panics.
func TestBackgroundPassesSurviveUnreachableReplicas(t *testing.T) {
	h, logs := unreachableEngine(t)
	// As in the background goroutine: no deadline, so every read is
	// bounded by the router's Timeout.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.RunBackgroundOnce(ctx)
	l := logs.String()
	if strings.Contains(l, "panic") {
		t.Fatalf("a background pass panicked:\n%s", l)
	}
	for _, want := range []string{"transaction recovery pass", "client token expiry pass", "background pass"} {
		found := false
		for _, line := range strings.Split(l, "\n") {
			if strings.Contains(line, `msg="`+want+`"`) && strings.Contains(line, "InternalServerError") {
				found = true
			}
		}
		if !found {
			t.Fatalf("no %q warning with the read's InternalServerError in the log:\n%s", want, l)
		}
	}
	if _, err := h.txn.Recover(ctx); err == nil || !strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("Recover = %v, want the unavailable partition's error", err)
	}
}
