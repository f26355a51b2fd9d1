// Package jepsen tests whether a DynamoDB-compatible endpoint keeps its
// promises — linearizable ConsistentRead reads and conditional writes, no
// lost acknowledged writes, exactly-once updates — while a nemesis injects
// faults, in the manner of Jepsen (https://jepsen.io).
//
// A run (Run) creates a fresh table, lets Config.Clients concurrent clients
// issue a workload's random operations at a bounded rate for a bounded time
// and count while the nemesis plays its seeded fault schedule, then heals
// every fault, waits for the system to be healthy, reads every object one
// last time, and checks the recorded history:
//
//   - register: per-key read / write / compare-and-set, checked for
//     linearizability with porcupine (checker.CheckRegister); eventually
//     consistent reads are measured for staleness (checker.CheckStaleness);
//   - set: unique adds to number sets, checked for lost and unexpected
//     elements and stale reads (checker.CheckSet);
//   - counter: increments, every read within running bounds
//     (checker.CheckCounter);
//   - bank: transfers between accounts in TransactWriteItems and reads of
//     every account in TransactGetItems, every read conserving the total
//     with no negative balance (checker.CheckBank);
//   - list-append: transactions appending unique elements to lists or
//     reading them, checked Elle-style for dependency cycles (G0, G1c,
//     G-single, G2) and lost, duplicated or aborted elements
//     (checker.CheckListAppend), and exported as history.edn for Elle.
//
// The sub-packages are the parts: history (the record and how SDK errors map
// to ok/fail/info), client (operations as DynamoDB requests), checker,
// nemesis (faults and schedules), fakeddb (a deliberately breakable test
// endpoint for negative controls). Artifacts (WriteArtifacts) are the
// history, porcupine's HTML visualization, a latency/throughput plot with
// the fault windows shaded, results.json and summary.txt (and history.edn
// for list-append); README.md explains
// how to read them.
package jepsen
