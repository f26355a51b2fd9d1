package txn

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// TokenWindow is how long a ClientRequestToken stays bound to its request
// after the request completes (API reference, TransactWriteItems).
const TokenWindow = 10 * time.Minute

// runningWindow bounds how long a token stays claimed by a request whose
// process died before finishing it.
const runningWindow = time.Minute

// TokensTable is the system table of client request tokens.
const TokensTable = "ddbkit:txn-tokens"

// Tokens makes TransactWriteItems idempotent per ClientRequestToken: a
// token seen again within TokenWindow with the same request returns the
// first response without running the transaction again; with a different
// request, IdempotentParameterMismatchException; while the first is still
// running, TransactionInProgressException. Only successful requests are
// remembered (a cancelled transaction changed nothing, so running it again
// is what a retry should do).
//
// Tokens live in a system table, replicated like the ledger, and every
// change is a conditional write whose condition compares against a clock
// value carried in the command: any engine process (any node of a cluster)
// sees the same tokens, and the commands apply deterministically.
type Tokens struct {
	cat *catalog.Catalog
	now func() time.Time
}

// NewTokens returns the token table of cat, using clock now (nil:
// time.Now).
func NewTokens(cat *catalog.Catalog, now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{cat: cat, now: now}
}

// Messages of the two token errors. Not verified against DynamoDB's exact
// wording; clients match on the error type.
const (
	msgMismatch   = "Request with same client token has different parameters"
	msgInProgress = "Request with same client token is already in progress"
)

const (
	tokenRunning = "RUNNING"
	tokenDone    = "DONE"
)

func (t *Tokens) propose(ctx context.Context, cmd *partition.Command) (partition.Result, error) {
	tab, err := systemTable(t.cat, TokensTable, "token")
	if err != nil {
		return partition.Result{}, fmt.Errorf("txn: tokens: %w", err)
	}
	return tab.PartitionForKey(cmd.Key["token"]).Replica.Propose(ctx, cmd)
}

func epochNanos(t time.Time) value.Value { return value.Num(strconv.FormatInt(t.UnixNano(), 10)) }

// Begin claims token for a request whose canonical form hashes to hash.
// It returns the stored response of an identical completed request (run
// nothing, answer with it), or an error; with (nil, nil) the caller runs
// the request and then calls Finish or Abort.
func (t *Tokens) Begin(ctx context.Context, token, hash string) ([]byte, error) {
	now := t.now()
	key := value.Item{"token": value.Str(token)}
	res, err := t.propose(ctx, &partition.Command{
		Op: partition.OpPut, Key: key,
		Item: value.Item{"token": value.Str(token), "hash": value.Str(hash), "state": value.Str(tokenRunning),
			"expires": epochNanos(now.Add(runningWindow))},
		Condition: "attribute_not_exists(#k) OR #e < :now",
		Names:     map[string]string{"#k": "token", "#e": "expires"},
		Values:    map[string]value.Value{":now": epochNanos(now)},
	})
	if err != nil {
		return nil, fmt.Errorf("txn: claim token: %w", err)
	}
	if res.Err == nil {
		return nil, nil
	}
	if ddberr.TypeOf(res.Err) != ddberr.ConditionalCheckFailed || res.Old == nil {
		return nil, fmt.Errorf("txn: claim token: %w", res.Err)
	}
	switch old := res.Old; {
	case old["hash"].Str != hash:
		return nil, ddberr.New(ddberr.IdempotentMismatch, msgMismatch)
	case old["state"].Str != tokenDone:
		return nil, ddberr.New(ddberr.TransactionInProgress, msgInProgress)
	default:
		return old["response"].Bin, nil
	}
}

// Finish stores the response of a successful request for TokenWindow.
func (t *Tokens) Finish(ctx context.Context, token, hash string, response []byte) error {
	res, err := t.propose(ctx, &partition.Command{
		Op: partition.OpPut, Key: value.Item{"token": value.Str(token)},
		Item: value.Item{"token": value.Str(token), "hash": value.Str(hash), "state": value.Str(tokenDone),
			"response": value.Bin(response), "expires": epochNanos(t.now().Add(TokenWindow))},
	})
	if err == nil {
		err = res.Err
	}
	if err != nil {
		return fmt.Errorf("txn: store token response: %w", err)
	}
	return nil
}

// Abort releases a token whose request failed.
func (t *Tokens) Abort(ctx context.Context, token, hash string) error {
	res, err := t.propose(ctx, &partition.Command{
		Op: partition.OpDelete, Key: value.Item{"token": value.Str(token)},
		Condition: "#h = :h AND #s = :r",
		Names:     map[string]string{"#h": "hash", "#s": "state"},
		Values:    map[string]value.Value{":h": value.Str(hash), ":r": value.Str(tokenRunning)},
	})
	if err == nil && ddberr.TypeOf(res.Err) != ddberr.ConditionalCheckFailed {
		err = res.Err
	}
	if err != nil {
		return fmt.Errorf("txn: release token: %w", err)
	}
	return nil
}

// Expire deletes tokens past their window (each delete conditional on the
// expiry it saw); it returns how many.
func (t *Tokens) Expire(ctx context.Context) (int, error) {
	tab, err := t.cat.Get(TokensTable)
	if err != nil {
		return 0, nil // no token was ever used
	}
	now := t.now().UnixNano()
	done := 0
	var errs []error
	for _, p := range tab.Partitions {
		rd, err := p.Replica.Read(ctx, true)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var old []value.Item
		rd.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
			if e, err := strconv.ParseInt(it["expires"].Str, 10, 64); err == nil && e < now {
				old = append(old, it)
			}
			return true
		})
		if err := rd.Err(); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, it := range old {
			res, err := p.Replica.Propose(ctx, &partition.Command{Op: partition.OpDelete, Key: value.Item{"token": it["token"]},
				Condition: "#e = :e", Names: map[string]string{"#e": "expires"}, Values: map[string]value.Value{":e": it["expires"]}})
			if err == nil && res.Err == nil {
				done++
			} else if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return done, errors.Join(errs...)
}
