package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// A GSI fed while writers run converges: once writes stop and the feeder
// has caught up, the index holds exactly one entry per base item that has
// the index key (with the item's current value), whatever the
// interleaving of writes, feeder passes and a mid-run rebuild.
func TestGSIConverges(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		cat := catalog.New(catalog.Options{Partitions: 3})
		h := New(cat, Options{Background: Background{Disabled: true}})
		defer h.Close()
		code, out, _ := call(t, h, "DynamoDB_20120810.CreateTable", `{"TableName":"gsitest","BillingMode":"PAY_PER_REQUEST",
			"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
			"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
			"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`)
		if code != http.StatusOK {
			rt.Fatalf("create: %v", out)
		}
		tab, _ := cat.Get("gsitest")
		gi := tab.GlobalIndex("byG")
		writers := rapid.IntRange(1, 3).Draw(rt, "writers")
		ops := rapid.SliceOfN(rapid.IntRange(0, 99), writers*5, writers*30).Draw(rt, "ops")
		rebuildAt := rapid.IntRange(0, len(ops)).Draw(rt, "rebuildAt")
		var wg sync.WaitGroup
		stop := make(chan struct{})
		feederDone := make(chan struct{})
		go func() { // the feeder, running concurrently with the writes
			defer close(feederDone)
			for {
				select {
				case <-stop:
					return
				default:
					if err := h.feedGSIs(ctx); err != nil {
						t.Error(err)
					}
				}
			}
		}()
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(ops); i += writers {
					op := ops[i]
					pk := value.Str(fmt.Sprint("k", op%7))
					var cmd *partition.Command
					switch {
					case op%5 == 0:
						cmd = &partition.Command{Op: partition.OpDelete, Key: value.Item{"pk": pk}}
					case op%5 == 1: // no index key: leaves the index
						cmd = &partition.Command{Op: partition.OpPut, Key: value.Item{"pk": pk}, Item: value.Item{"pk": pk, "v": value.Num(fmt.Sprint(i))}}
					default:
						cmd = &partition.Command{Op: partition.OpPut, Key: value.Item{"pk": pk},
							Item: value.Item{"pk": pk, "g": value.Str(fmt.Sprint("g", op%3)), "v": value.Num(fmt.Sprint(i))}}
					}
					if _, err := tab.PartitionForKey(pk).Replica.Propose(ctx, cmd); err != nil {
						t.Error(err)
					}
					if i == rebuildAt { // a lost feed forces a rebuild mid-run
						x := h.gsi.index(tab, gi)
						x.mu.Lock()
						x.ready = false
						x.tree = partition.NewIndexTree(x.tree.Schema, x.tree.Base)
						x.mu.Unlock()
					}
				}
			}(w)
		}
		wg.Wait()
		close(stop)
		<-feederDone
		if err := h.feedGSIs(ctx); err != nil {
			rt.Fatal(err)
		}
		var want, got []string
		for _, p := range tab.Partitions {
			p.State.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
				if g, ok := it["g"]; ok {
					want = append(want, g.Str+"/"+it["pk"].Str+"/"+it["v"].Str)
				}
				return true
			})
		}
		tree, err := h.gsiTree(tab, gi)
		if err != nil {
			rt.Fatal(err)
		}
		tree.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
			got = append(got, it["g"].Str+"/"+it["pk"].Str+"/"+it["v"].Str)
			return true
		})
		sort.Strings(want)
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			rt.Fatalf("index %v\nbase  %v", got, want)
		}
	})
}
