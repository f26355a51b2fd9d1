// Package workloads holds ddbkit's benchmark workload definitions and their
// loader.
//
// A workload is a YCSB property file (Java .properties syntax). The six YCSB
// core workloads A–F are embedded with the same properties as YCSB's own
// workloads/workloada..f, and every property a file does not set takes the
// default of YCSB's CoreWorkload (fieldcount=10, fieldlength=100,
// writeallfields=false, insertorder=hashed, maxscanlength=1000, ...), so a
// file written for Java YCSB means the same thing here. Five
// DynamoDB-shaped workloads (ddb-conditional, ddb-query, ddb-batchwrite,
// ddb-largeitem, ddb-hotkey) add properties under the "ddbkit." prefix,
// which Java YCSB ignores.
//
// Load resolves a name ("a", "workloada", "ddb-query") or a file path to
// Properties; Parse turns Properties into a typed Spec, validating every
// value. README.md in this directory documents every property.
package workloads
