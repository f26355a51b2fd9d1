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
//     delay.
package nemesis
