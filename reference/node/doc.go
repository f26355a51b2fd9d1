// Package node is one storage node of the replicated reference engine
// (ARCHITECTURE.md §3–§7, after DynamoDB, USENIX ATC 2022 §3–§4).
//
// A node runs one replica.Node (one loop, group-commit fsync) carrying:
//
//   - the catalog group (MetaGroup; its voters are the first founder of each
//     zone, so losing a zone never loses its quorum, and every other node
//     follows it as a learner): a replicated state
//     machine holding the tables — name, id, key schema, settings and the
//     partition map — changed by create/update/delete commands. A
//     CreateTable, UpdateTable or DeleteTable answered by any node has been
//     committed by a quorum of the catalog group first (the catalog's
//     OnChange hook proposes it);
//   - the partition groups placed on this node: each partition's group id is
//     derived from its table id and partition id (GroupID), its three voters
//     (one per zone) are recorded in the catalog group: the zone-aware ring's
//     placement when the table is created, the parent's on a split, and
//     changed only by a completed move (members.go).
//
// Membership is replicated too: the founders (Options.Members, the catalog
// group's voters) and the nodes added since (AddMember; the new node runs
// with Options.Join and follows the catalog as a learner). When the ring
// changes, the movers bring each group to the ring's placement, one replica
// at a time (mover.go): the catalog's leader records a move From -> To (same
// zone, one per group, a few at once), node To starts an empty replica, the
// group's leader adds it as a learner, catches it up by snapshot and swaps
// it for From in one joint configuration change (replica.Group.MoveReplica),
// then records the move done; every node then routes to the new voters and
// From drops its replica. Each step is read from the catalog group, so a
// crash anywhere resumes the move.
//
// Partitions split when they outgrow Options.SplitBytes or serve more than
// Options.SplitLoad requests per second throughout Options.SplitLoadWindow
// (split.go, load.go).
//
// Every node derives its own catalog.Catalog from the catalog group
// (reconcile): it creates, updates and deletes local tables to match, and
// starts (or removes) the raft groups of the partitions placed on it. Each
// partition of the local catalog is served by a router.Replica, which sends
// writes and consistent reads to the group's leader, here or on another node.
//
// The node's HTTP handler serves the DynamoDB API, the internal RPCs of the
// routers (/internal/propose, /internal/read) and GET /admin/status: the
// tables, partitions with hash ranges, replica placement by zone, and for
// the replicas held here leaders, terms, applied indexes and data digests.
package node
