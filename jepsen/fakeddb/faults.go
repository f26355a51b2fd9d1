package fakeddb

import "time"

// Faults are the deliberate violations, each a probability per request of
// the kind it affects. The zero value is a correct (linearizable) server.
type Faults struct {
	// StaleConsistentReads serves a ConsistentRead GetItem from the item's
	// previous version: breaks linearizability (register, counter, set).
	StaleConsistentReads float64
	// IgnoreConditions applies a conditional update whose condition is
	// false, and acknowledges it: breaks compare-and-set.
	IgnoreConditions float64
	// DoubleAdd applies a numeric ADD twice: breaks counters.
	DoubleAdd float64
	// LoseSetAdds acknowledges an ADD to a number set without applying it:
	// loses acknowledged writes.
	LoseSetAdds float64
	// NonAtomicTransactions applies only the first action of a
	// TransactWriteItems (after checking every condition) and acknowledges
	// the whole: breaks atomicity (bank: money destroyed; list-append: lost
	// appends).
	NonAtomicTransactions float64
	// TornTransactGets reads the items of a TransactGetItems one at a time,
	// TornDelay apart, letting writes in between: breaks the snapshot (bank:
	// wrong totals; list-append: read skew, G-single).
	TornTransactGets float64
	// TornDelay is the pause between a torn read's items (default 2ms).
	TornDelay time.Duration
}

// Indeterminacy is legal behaviour that makes operations indeterminate.
type Indeterminacy struct {
	// SlowWrites delays a write's response by SlowDelay after applying it
	// (probability per write): with a client timeout shorter than SlowDelay
	// the client sees a timeout for a write that happened.
	SlowWrites float64
	// LateWrites holds a write for SlowDelay before applying it: the client
	// times out, and the write takes effect afterwards.
	LateWrites float64
	// SlowDelay is how long a slow or late write is held (default 300ms).
	SlowDelay time.Duration
	// InternalErrors answers a write with InternalServerError (HTTP 500),
	// after applying it with probability 1/2.
	InternalErrors float64
	// StaleEventualReads serves an eventually consistent read from the
	// item's previous version: legal in DynamoDB, reported as staleness.
	StaleEventualReads float64
}
