// Package vfs is the small filesystem surface the raft storage needs, with two
// implementations: OS, the real disk, and Crashable, an in-memory filesystem
// that can simulate a power loss (in the style of pebble's strict MemFS).
//
// Crashable keeps, for every file, how many bytes have been fsynced, and for
// every directory which entries have been made durable by syncing the
// directory. Crash throws away everything that was not made durable: unsynced
// file tails (optionally keeping a random prefix of them, plus garbage, to
// model torn writes) and directory entries created, renamed or removed since
// the directory's last sync. Tests use it to check that storage reports as
// durable exactly what survives.
package vfs
