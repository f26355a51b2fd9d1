package api_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/server"
)

// Transactions on the replicated engine (3 nodes, each partition a raft
// group): prepare/commit travel through each group's log unchanged.
// Concurrent transfers conserve the total, and every TransactGetItems that
// succeeds sees it.
func TestTransactOnReplicatedCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	srv, err := server.Start(bg, server.Options{Addr: "127.0.0.1:0", Nodes: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := sdkClient(t, srv.URL())
	tab := createTable(t, c, "")
	const accounts, workers, transfers = 4, 3, 15
	var init []types.TransactWriteItem
	for i := 0; i < accounts; i++ {
		init = append(init, putAct(tab, bal(fmt.Sprint("acct", i), "100"), ""))
	}
	if _, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: init}); err != nil {
		t.Fatal(err)
	}
	readAll := func() (int, error) {
		var gets []types.TransactGetItem
		for i := 0; i < accounts; i++ {
			gets = append(gets, types.TransactGetItem{Get: &types.Get{TableName: aws.String(tab), Key: key(fmt.Sprint("acct", i))}})
		}
		out, err := c.TransactGetItems(bg, &dynamodb.TransactGetItemsInput{TransactItems: gets})
		if err != nil {
			return 0, err
		}
		sum := 0
		for _, r := range out.Responses {
			v, _ := strconv.Atoi(num(r.Item, "bal"))
			sum += v
		}
		return sum, nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*transfers*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < transfers; i++ {
				from, to := (w+i)%accounts, (w+2*i+1)%accounts
				if from == to {
					to = (to + 1) % accounts
				}
				_, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addAct(tab, fmt.Sprint("acct", from), -(1 + i%30)), addAct(tab, fmt.Sprint("acct", to), 1+i%30)}})
				var tce *types.TransactionCanceledException
				if err != nil && !errors.As(err, &tce) {
					errs <- err
				}
				sum, err := readAll()
				switch {
				case errors.As(err, &tce): // contention: allowed
				case err != nil:
					errs <- err
				case sum != 100*accounts:
					errs <- fmt.Errorf("read saw total %d", sum)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if sum, err := readAll(); err != nil || sum != 100*accounts {
		t.Fatalf("final total %d, %v", sum, err)
	}
}
