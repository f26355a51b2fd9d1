// Package results is the schema of a ddbkit benchmark run (results.json):
// per target and operation the counts, errors by type, throughput and
// latency percentiles in microseconds, plus the full HdrHistograms (HdrHistogram's V2
// compressed encoding, base64) so that runs from several machines can be
// merged by adding histograms, never by averaging percentiles.
//
// The schema is documented field by field in bench/README.md.
package results
