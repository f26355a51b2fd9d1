package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// A GSI read while writers run converges: once writes stop, a read of the
// index through the handler's merge of the base partitions holds exactly
// one entry per base item that has the index key (with the item's current
// value), in index key order, whatever the interleaving of writes, reads,
// background passes and a mid-run drop of one partition's entries (which
// the next read rebuilds).
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
		dropAt := rapid.IntRange(0, len(ops)).Draw(rt, "dropAt")
		dropPart := rapid.IntRange(0, len(tab.Partitions)-1).Draw(rt, "dropPart")
		read := func() ([]string, error) {
			var got []string
			var prev []byte
			err := h.gsiScan(ctx, tab, gi.IndexSchema, nil, nil, false, func(key []byte, it value.Item) bool {
				if prev != nil && string(prev) >= string(key) {
					rt.Errorf("entries out of order: %x then %x", prev, key)
				}
				prev = key
				got = append(got, it["g"].Str+"/"+it["pk"].Str+"/"+it["v"].Str)
				return true
			})
			return got, err
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		readerDone := make(chan struct{})
		go func() { // readers and background passes, concurrent with the writes
			defer close(readerDone)
			for {
				select {
				case <-stop:
					return
				default:
					if err := h.feedGSIs(ctx); err != nil {
						t.Error(err)
					}
					if _, err := read(); err != nil {
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
					if i == dropAt { // one partition's entries dropped mid-run: rebuilt when next read
						tab.Partitions[dropPart].State.KeepGlobals(nil)
					}
				}
			}(w)
		}
		wg.Wait()
		close(stop)
		<-readerDone
		var want []string
		for _, p := range tab.Partitions {
			p.State.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
				if g, ok := it["g"]; ok {
					want = append(want, g.Str+"/"+it["pk"].Str+"/"+it["v"].Str)
				}
				return true
			})
		}
		got, err := read()
		if err != nil {
			rt.Fatal(err)
		}
		sorted := slices.Clone(got)
		sort.Strings(want)
		sort.Strings(sorted)
		if fmt.Sprint(sorted) != fmt.Sprint(want) {
			rt.Fatalf("index %v\nbase  %v", got, want)
		}
	})
}
