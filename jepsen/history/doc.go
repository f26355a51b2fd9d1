// Package history records what concurrent clients did to a database, in the
// vocabulary of Jepsen: every operation is an invocation followed by exactly
// one completion, and a completion is one of
//
//   - ok:   the database acknowledged it; it took effect (exactly once);
//   - fail: it certainly did not take effect (the request was refused, or
//     the database answered with an error that means "not applied", such as
//     ConditionalCheckFailedException or a ValidationException);
//   - info: indeterminate; it may or may not have taken effect, now or at any
//     later time (a timeout, a lost connection, an internal server error).
//
// Treating an indeterminate operation as failed would let a checker accept a
// database that applies "failed" writes, so the distinction is the whole
// point: see Classify for how aws-sdk-go-v2 errors map onto it.
//
// Time is the monotonic clock, in nanoseconds since the start of the run.
// A History is written as JSON lines: one header line with the seed and the
// run's parameters, then one line per event, in the order they happened.
// Transactions carry their micro-operations in Op.Txn (Mop). A list-append
// history can also be written in Jepsen's EDN format for Elle (WriteEDN).
package history
