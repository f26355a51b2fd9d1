// Package measure records a benchmark phase: per operation type an
// HdrHistogram of latency (from each operation's intended start, so a
// stalled server is charged for every operation it delayed) and one of
// service time (from the actual send), error and throttle counts by type
// kept apart from latency, and a per-second timeline. Each second's
// interval histograms can be written as an HdrHistogram interval log
// (format 1.3, one tagged line per operation type and second) that the
// Java HdrHistogram tools (HistogramLogProcessor) read; values are in
// microseconds.
//
// Workers record concurrently; one goroutine calls Tick once per second.
// Time is passed in by the caller, never read here.
package measure
