// Package report renders benchmark results (bench/results): the YCSB-style
// console summary, report.md, and a self-contained report.html whose plots
// (made with gonum.org/v1/plot, inline SVG) overlay every target: the
// latency percentile spectrum on a log axis, throughput over time and p99
// over time. WriteAll writes results.json and both reports into a directory.
package report
