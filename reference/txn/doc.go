// Package txn is the transaction coordinator and ledger of the reference
// engine, after DynamoDB's protocol (Idziorek et al., "Distributed
// Transactions at Scale in Amazon DynamoDB", USENIX ATC'23 §3).
//
// A Coordinator is stateless between requests. For TransactWriteItems it
//
//  1. assigns a timestamp (a clock reading, strictly increasing per
//     coordinator) and a transaction ID;
//  2. writes a PENDING record to the ledger — a system table, partitioned
//     and replicated like any table — naming every item of the transaction;
//  3. sends prepare to each item's partition (through that partition's log;
//     see partition.TxnStep): the partition checks the condition, the
//     timestamp order and conflicting prepared transactions;
//  4. records the decision in the ledger (COMMITTED only if the record is
//     still PENDING, a conditional write, so a recovery that cancelled the
//     transaction first wins);
//  5. sends commit or cancel to every partition, then deletes the record.
//
// A Recovery pass (Coordinator.Recover, run periodically by Run) finds
// ledger records older than a timeout — their coordinator died or stalled —
// decides CANCELLED for those still PENDING, and finishes them: commit or
// cancel at every partition, then delete. Partitions remember recent
// outcomes, so a prepare delayed past its transaction's cancellation is
// refused rather than left behind.
//
// TransactGetItems (Coordinator.Get) takes no locks and writes nothing: it
// reads every item with its version from its partition's leader
// (consistent reads), retrying while a write is prepared on any of them, then
// reads the versions again; if none changed, all the values existed
// together at an instant between the two rounds, so the read is
// serializable.
//
// Client request tokens (Tokens) live in a second system table, so every
// node of a cluster honours a token another node saw.
//
// Plain writes never wait for a transaction: a partition rejects a write to
// an item with a prepared transaction (TransactionConflictException), as
// DynamoDB does, and the client retries.
//
// Known limits:
//   - A partition remembers the last 8192 transaction outcomes; a prepare
//     delayed past that many later outcomes is accepted, and holds its item
//     until a recovery pass cancels it as an orphan (old, no ledger record);
//     only partitions held by the recovering process are examined.
//   - Whatever rebuilds a partition from its items alone (a log compaction,
//     a split child filled with Puts) must also re-apply
//     partition.State.PreparedCommands, or a committed transaction whose
//     commit had not reached that partition loses its write there.
//   - Get needs readers that implement partition.TxnReader (a State does,
//     and so does the router's reader of a replica on another node).
//   - A coordinator whose clock is behind the timestamp on an item gets one
//     TransactionConflict per such item, then moves its clock past it.
package txn
