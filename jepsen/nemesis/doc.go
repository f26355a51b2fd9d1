// Package nemesis injects faults into the system under test while the
// jepsen clients run, on a schedule that is plain data derived from a seed.
//
// A Fault is data: a name (what to break), a start and a stop offset, and,
// once started, the target it hit (a zone, a node). A Schedule is a seeded
// list of faults. A Nemesis knows how to start and stop the faults it
// supports, how to heal everything, and how to wait until the system is
// healthy again; Execute plays a schedule against a nemesis.
//
// Three nemeses exist:
//
//   - None: no faults (an external endpoint without hooks).
//   - Hook: runs the user's shell commands to start and stop a fault on an
//     external system (--nemesis-start-cmd, --nemesis-stop-cmd).
//   - ClusterNemesis: drives any Cluster (the reference engine's in-process
//     or multi-process cluster): zone, leader, minority and random-halves
//     partitions, kill -9 and restart, pause and resume, message loss and
//     delay, and clock skew on a Cluster that is also a ClockSkewer.
//
// Clock skew (ClockSkewLeader) slows the busiest leader's clock — the
// source of its raft ticks — and isolates it in one fault: its successor
// is elected after an election timeout of real time while the old leader,
// counting slow ticks, still believes it leads. Its target is a read
// lease (an engine that answers ConsistentRead from the leader's lease
// serves stale values then); ReadIndex, which asks a quorum, is immune.
// Only the in-process cluster can skew a node's clock: over another
// Cluster the nemesis does not offer the fault (Faults) and refuses to
// start it, rather than injecting nothing.
package nemesis
