package txn

import (
	"sync"
	"time"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// TokenWindow is how long a ClientRequestToken stays bound to its request
// after the request completes (API reference, TransactWriteItems).
const TokenWindow = 10 * time.Minute

// Tokens makes TransactWriteItems idempotent per ClientRequestToken: a
// token seen again within TokenWindow with the same request returns the
// first response without running the transaction again; with a different
// request, IdempotentParameterMismatchException; while the first is still
// running, TransactionInProgressException. Only successful requests are
// remembered (a cancelled transaction changed nothing, so running it again
// is what a retry should do).
//
// The table is held by the process that served the request, in memory:
// a retry that lands on another engine process, or after a restart, runs
// again (see the report of issue 9).
type Tokens struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*tokenEntry
}

type tokenEntry struct {
	hash     string
	response []byte // nil while running
	expires  time.Time
}

// NewTokens returns an empty token table using clock now (nil: time.Now).
func NewTokens(now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{now: now, entries: make(map[string]*tokenEntry)}
}

// Messages of the two token errors. Not verified against DynamoDB's exact
// wording; clients match on the error type.
const (
	msgMismatch   = "Request with same client token has different parameters"
	msgInProgress = "Request with same client token is already in progress"
)

// Begin claims token for a request whose canonical form hashes to hash.
// It returns the stored response of an identical completed request (run
// nothing, answer with it), or an error; with (nil, nil) the caller runs
// the request and then calls Finish or Abort.
func (t *Tokens) Begin(token, hash string) ([]byte, error) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, e := range t.entries { // purge expired entries
		if e.response != nil && now.After(e.expires) {
			delete(t.entries, k)
		}
	}
	if e, ok := t.entries[token]; ok {
		switch {
		case e.hash != hash:
			return nil, ddberr.New(ddberr.IdempotentMismatch, msgMismatch)
		case e.response == nil:
			return nil, ddberr.New(ddberr.TransactionInProgress, msgInProgress)
		}
		return e.response, nil
	}
	t.entries[token] = &tokenEntry{hash: hash}
	return nil, nil
}

// Finish stores the response of a successful request.
func (t *Tokens) Finish(token string, response []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.entries[token]; ok {
		e.response, e.expires = response, t.now().Add(TokenWindow)
	}
}

// Abort forgets a token whose request failed.
func (t *Tokens) Abort(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.entries[token]; ok && e.response == nil {
		delete(t.entries, token)
	}
}
