package jepsen

import (
	"maps"
	"testing"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

func TestCancellations(t *testing.T) {
	fail := func(f history.Func, msg string) history.Pair {
		return history.Pair{Invoke: history.Op{F: f}, Complete: history.Op{Type: history.Fail, F: f, Error: msg}}
	}
	pairs := []history.Pair{
		fail(history.Transfer, "TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, TransactionConflict]"),
		fail(history.Transfer, "... specific reasons [TransactionConflict, TransactionConflict]"),
		fail(history.ReadAll, "... specific reasons [None, TransactionConflict, None]"),
		fail(history.Txn, "api error TransactionConflictException: conflict"),
		fail(history.Txn, "ValidationException: bad"),
		fail(history.Read, "... specific reasons [TransactionConflict]"), // not transactional
		{Invoke: history.Op{F: history.Txn}, Complete: history.Op{Type: history.Info, Error: "timeout"}},
	}
	want := map[string]int{"ConditionalCheckFailed": 1, "TransactionConflict": 3, "TransactionConflictException": 1, "other": 1}
	if got := cancellations(pairs); !maps.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := formatCounts(want); got != "ConditionalCheckFailed 1, TransactionConflict 3, TransactionConflictException 1, other 1" {
		t.Fatalf("formatted %q", got)
	}
	if cancellations(nil) != nil {
		t.Fatal("no failures, yet counts")
	}
}
