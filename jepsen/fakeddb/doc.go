// Package fakeddb is a small in-memory DynamoDB-protocol server for testing
// the jepsen checkers: it serves exactly the requests the jepsen workloads
// make (CreateTable, DescribeTable, DeleteTable, GetItem, PutItem,
// UpdateItem with "SET #a = :v" / "ADD #a :v" / "SET #a =
// list_append(if_not_exists(#a, :empty), :v)" and an "#a = :v" or
// "#a >= :v" condition, and TransactWriteItems of such updates and
// TransactGetItems), linearizably, behind one lock.
//
// Its Faults make it deliberately WRONG, each in one way a real replicated
// store can be wrong: consistent reads served from a stale copy, conditions
// ignored, increments applied twice, acknowledged set adds lost,
// transactions applied in part, transactional reads torn. The jepsen
// tests use them as negative controls (each checker must catch its fault in
// a short seeded run) and the fault-free server as the positive control.
// Its Indeterminacy options (slow or failing responses after or before a
// write is applied) are legal behaviour that must NOT be reported as a
// violation.
//
// It is a test double, not an engine: see reference/ for that.
package fakeddb
