// Package keygen chooses record numbers and names keys the way YCSB's Java
// CoreWorkload does, so a ddbkit run touches the same keys, with the same
// skew, as a YCSB run with the same workload file.
//
// KeyName reproduces CoreWorkload.buildKeyName ("user" + FNV-1a-64 hash of
// the record number when insertorder=hashed, zero padded); the generators
// reproduce YCSB's math: Zipfian (Gray et al., "Quickly Generating
// Billion-Record Synthetic Databases", SIGMOD 1994, with θ = 0.99),
// ScrambledZipfian (a Zipfian over 10^10 items with YCSB's precomputed
// ζ(10^10, 0.99) = 26.46902820178302, hashed into the key space), SkewedLatest,
// Hotspot, Uniform, Sequential and Exponential, plus the acknowledged insert
// counter that keeps reads away from records not yet inserted.
//
// Randomness is injected: every generator draws from a *rand.Rand the
// caller owns (one per worker), so a seed reproduces a run.
package keygen
