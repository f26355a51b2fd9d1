// Package node is one storage node of the replicated reference engine
// (ARCHITECTURE.md §3–§7, after DynamoDB, USENIX ATC 2022 §3–§4).
//
// A node runs one replica.Node (one loop, group-commit fsync) carrying:
//
//   - the catalog group (MetaGroup, every node a voter): a replicated state
//     machine holding the tables — name, id, key schema, settings and the
//     partition map — changed by create/update/delete commands. A
//     CreateTable, UpdateTable or DeleteTable answered by any node has been
//     committed by a quorum of the catalog group first (the catalog's
//     OnChange hook proposes it);
//   - the partition groups placed on this node: each partition's group id is
//     derived from its table id and partition id (GroupID), its three voters
//     are the zone-aware ring's placement of that id (one per zone).
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
