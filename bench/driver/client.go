package driver

import (
	"context"
	"errors"
	"fmt"
)

// Attribute names of a benchmark record.
const (
	AttrKey     = "key" // partition key (S): YCSB's key name
	AttrSort    = "sk"  // sort key (N), only when the workload groups records
	AttrVersion = "ver" // version (N) for optimistic-locking workloads
)

// Table describes the benchmark table's key schema.
type Table struct {
	Name    string
	SortKey bool // key schema is (key HASH, sk RANGE) instead of (key HASH)
}

// Key addresses one record.
type Key struct {
	PK []byte
	SK int64 // used only when the table has a sort key
}

// Field is one string attribute of a record.
type Field struct {
	Name  string
	Value []byte
}

// Item is a whole record to put.
type Item struct {
	Key     Key
	Fields  []Field
	Version int64 // > 0: also write ver = Version
}

// GetResult is what a read learns.
type GetResult struct {
	Found   bool
	Version int64 // the item's ver attribute, 0 if absent
}

// Client issues the benchmark's operations. Implementations are safe for
// concurrent use and never retry.
type Client interface {
	GetItem(ctx context.Context, t Table, k Key, fields []string, consistent bool) (GetResult, error)
	PutItem(ctx context.Context, t Table, it Item) error
	// UpdateItem sets fields; with expectVersion >= 0 it is conditional on
	// ver = expectVersion (0: ver absent) and increments ver.
	UpdateItem(ctx context.Context, t Table, k Key, fields []Field, expectVersion int64) error
	// Scan reads up to limit items starting after start; it returns how many.
	Scan(ctx context.Context, t Table, start Key, limit int, fields []string, consistent bool) (int, error)
	// Query reads items of partition pk with lo <= sk <= hi, up to limit.
	Query(ctx context.Context, t Table, pk []byte, lo, hi int64, limit int, fields []string, consistent bool) (int, error)
	// BatchPut writes up to 25 items in one BatchWriteItem and returns how
	// many came back unprocessed.
	BatchPut(ctx context.Context, t Table, items []Item) (int, error)
	Close() error
}

// NoCondition is UpdateItem's expectVersion for an unconditional update.
const NoCondition = -1

// Error is an error response from the endpoint.
type Error struct {
	Type    string // DynamoDB's error type without the namespace, e.g. ConditionalCheckFailedException
	Message string
	Status  int // HTTP status, 0 if unknown
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Type, e.Status, e.Message)
}

// throttleTypes are DynamoDB's throttling error types.
var throttleTypes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"TransactionInProgressException":         false,
}

// IsThrottle reports whether an error type means "slow down".
func IsThrottle(errType string) bool { return throttleTypes[errType] }

// ErrorType classifies err for counting: the DynamoDB error type of an
// *Error, "context" for cancellation or deadline, "transport" otherwise.
func ErrorType(err error) string {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Type
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "context"
	default:
		return "transport"
	}
}
