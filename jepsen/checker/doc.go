// Package checker decides whether a history is correct.
//
//   - Register: linearizability of per-key registers (read, write, cas),
//     checked by porcupine with the history partitioned by key, after a
//     simplification of indeterminate operations that provably does not
//     change the verdict (see Simplify).
//   - Set: every acknowledged add is in the final read (no lost elements),
//     nothing appears that was never added (no unexpected elements), and a
//     consistent read contains every add acknowledged before it began.
//   - Counter: every consistent read and the final read lie between the sum
//     of increments certainly applied and the sum of those possibly applied.
//   - Staleness: eventually consistent reads measured against the writes
//     that certainly preceded them (read-your-writes, monotonic reads);
//     reported as statistics, never as a violation, because DynamoDB
//     promises nothing stronger for them.
//   - Bank: every read of all accounts sees them all, summing to the
//     bank's total, none negative (CheckBank).
//   - List-append: Elle's inference for transactions over append-only lists
//     with unique elements — version orders from the longest reads,
//     ww/wr/rw dependencies between committed transactions, cycles named
//     G0, G1c, G-single or G2 — plus duplicated, garbage, aborted (G1a) and
//     lost elements (CheckListAppend).
package checker
