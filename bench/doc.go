// Package bench runs a YCSB-style benchmark against DynamoDB-protocol
// endpoints: a load phase (parallel BatchWriteItem, with progress) then a
// run phase, closed loop (N workers, each waiting for its response) or
// open loop (operations scheduled at a fixed rate with Poisson or constant
// arrivals, latency measured from each operation's intended start so that
// coordinated omission cannot hide a stalled server).
//
// The same workload and seed run against each target in turn, and the
// results (bench/results) go side by side into one report (bench/report).
// Subpackages: keygen (YCSB's key names and distributions), driver (the
// lean SigV4 client and the SDK client), measure (HdrHistograms, timelines,
// interval logs), results (the results.json schema and merge), report
// (console, Markdown and HTML with plots).
package bench
