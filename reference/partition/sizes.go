package partition

import "github.com/ddbkit/ddbkit/reference/value"

// Sizes are a partition replica's item count and bytes (value.ItemSize),
// and those of its entries in named secondary indexes: what DescribeTable
// reports, summed over a table's partitions.
type Sizes struct {
	Items  int64               `json:"items"`
	Bytes  int64               `json:"bytes"`
	Local  map[string][2]int64 `json:"local,omitempty"`  // local index name -> entries, bytes
	Global map[string][2]int64 `json:"global,omitempty"` // global index name -> entries, bytes
}

// Add adds o to s: counts and bytes, index by index.
func (s *Sizes) Add(o Sizes) {
	s.Items += o.Items
	s.Bytes += o.Bytes
	s.Local = addIndexSizes(s.Local, o.Local)
	s.Global = addIndexSizes(s.Global, o.Global)
}

func addIndexSizes(dst, src map[string][2]int64) map[string][2]int64 {
	for name, v := range src {
		if dst == nil {
			dst = map[string][2]int64{}
		}
		dst[name] = [2]int64{dst[name][0] + v[0], dst[name][1] + v[1]}
	}
	return dst
}

// SizesReader is a Reader that reports Sizes: a State, or a router's
// reader of a replica on another node (which may fail: then the error).
type SizesReader interface {
	Sizes(locals, globals []string) (Sizes, error)
}

// Sizes implements SizesReader for the local indexes named in locals and
// the global indexes named in globals (an index this replica keeps no
// entries of is left out).
func (s *State) Sizes(locals, globals []string) (Sizes, error) {
	items, bytes := s.Stats()
	out := Sizes{Items: int64(items), Bytes: bytes}
	for _, name := range locals {
		var n, b int64
		s.ScanLocal(name, nil, nil, false, func(_ []byte, it value.Item) bool {
			n++
			b += int64(value.ItemSize(it))
			return true
		})
		if out.Local == nil {
			out.Local = map[string][2]int64{}
		}
		out.Local[name] = [2]int64{n, b}
	}
	for _, name := range globals {
		if n, b, ok := s.GlobalStats(name); ok {
			if out.Global == nil {
				out.Global = map[string][2]int64{}
			}
			out.Global[name] = [2]int64{int64(n), b}
		}
	}
	return out, nil
}
