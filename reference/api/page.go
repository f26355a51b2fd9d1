package api

import (
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// maxPageBytes is DynamoDB's limit on the data a single Query or Scan reads
// (1 MB, measured on the items read, before any filter).
const maxPageBytes = 1 << 20

// page accumulates one page of a Query or Scan: it counts what was read
// (ScannedCount, bytes for the 1 MB limit and for capacity), what passed
// the filter (Count), and remembers the last item read for LastEvaluatedKey.
type page struct {
	limit  int // 0: none
	filter *expr.Condition
	proj   *expr.Projection
	count  bool // Select COUNT: items are counted, not returned

	items   []value.Item
	scanned int
	matched int
	bytes   int
	last    value.Item // last item read
	full    bool       // stopped by Limit or the 1 MB limit
	err     error
}

// add reads one item; it returns false when the page is full or failed.
func (p *page) add(item value.Item) bool {
	p.scanned++
	p.bytes += value.ItemSize(item)
	p.last = item
	ok := true
	if p.filter != nil {
		var err error
		if ok, err = p.filter.Eval(item); err != nil {
			p.err = err
			return false
		}
	}
	if ok {
		p.matched++
		if !p.count {
			out := item
			if p.proj != nil {
				out = p.proj.Apply(item)
			}
			p.items = append(p.items, out)
		}
	}
	if (p.limit > 0 && p.scanned >= p.limit) || p.bytes >= maxPageBytes {
		p.full = true
		return false
	}
	return true
}

// render appends Items (unless COUNT), Count and ScannedCount.
func (p *page) render(b []byte) []byte {
	if !p.count {
		b = append(b, `"Items":[`...)
		for i, it := range p.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.AppendJSON(b)
		}
		b = append(b, "],"...)
	}
	b = append(b, `"Count":`...)
	b = appendInt(b, p.matched)
	b = append(b, `,"ScannedCount":`...)
	b = appendInt(b, p.scanned)
	return b
}

func appendInt(b []byte, n int) []byte { return appendAny(b, n) }

// selectMode validates Select against the projection parameters and returns
// whether items are only counted. Messages as DynamoDB words them.
func selectMode(sel *string, hasProjection bool, projName string, index bool) (count bool, err error) {
	if sel == nil {
		return false, nil
	}
	switch *sel {
	case "COUNT":
		if hasProjection {
			return false, ddberr.Validationf("Cannot specify the %s when choosing to get COUNT", projName)
		}
		return true, nil
	case "ALL_ATTRIBUTES":
		if hasProjection {
			return false, ddberr.Validationf("Cannot specify the %s when choosing to get ALL_ATTRIBUTES", projName)
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if !index {
			return false, ddberr.Validationf("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
	case "SPECIFIC_ATTRIBUTES":
		if !hasProjection {
			return false, ddberr.Validationf("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	}
	return false, nil
}
