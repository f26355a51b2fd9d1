package conformance

// Areas are the API areas of the suite, in the order they are reported.
// Each is a ginkgo Label carried by every spec of that area, so
// --label-filter can select or skip features an endpoint lacks, and an area
// can be declared out of scope for an endpoint (see Baseline.Unimplemented).
var areas = []string{
	"tables", "items", "types", "numbers", "condition", "update", "projection",
	"query", "scan", "pagination", "batch", "errors", "capacity", "transactions", "indexes", "collections", "ttl", "auth",
}

// Areas returns the suite's API areas in report order.
func Areas() []string { return append([]string(nil), areas...) }

// areaOf returns the first label of labels that is an area, or "".
func areaOf(labels []string) string {
	for _, l := range labels {
		for _, a := range areas {
			if l == a {
				return a
			}
		}
	}
	return ""
}
