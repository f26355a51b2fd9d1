package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the garbage collector's target when GOGC is unset.
//
// The reference engine allocates fast against a small live heap (its
// B-trees keep items encoded, so there is little to trace): with Go's
// default of 100, a 3-node cluster under YCSB-A collects several times a
// second, and in the same process the benchmark's client does too. A/B at
// 64 workers against the durable 3-node cluster, alternating, 20 s each:
// 300 gave 5,914 and 4,820 ops/s where 100 gave 5,128 and 4,172. The price
// is a peak heap up to 4x the live one; GOGC=100 in the environment
// restores Go's default (any GOGC set is left alone).
const defaultGCPercent = 300

// tuneGC applies defaultGCPercent unless the environment chose a GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
}
