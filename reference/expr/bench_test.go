package expr

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

// Benchmarks of a typical conditional write: parse + evaluate the condition,
// parse + apply the update. "direct" is the same logic written by hand in
// Go against the same item, the floor an interpreter can be compared with.

const (
	benchCond   = "attribute_exists(pk) AND #s = :active AND version < :v AND NOT contains(tags, :banned)"
	benchUpdate = "SET #s = :s, version = version + :one, tags = list_append(if_not_exists(tags, :empty), :t) REMOVE tmp"
)

func benchParams() *Params {
	return NewParams(names("#s", "status"), vals(
		":active", s("active"), ":v", n("10"), ":banned", s("x"),
		":s", s("done"), ":one", n("1"), ":empty", l(), ":t", l(s("new")),
	))
}

func benchItem() value.Item {
	return item("pk", s("user#123"), "status", s("active"), "version", n("7"),
		"tags", l(s("a"), s("b")), "tmp", s("scratch"), "payload", s("0123456789abcdef0123456789abcdef"))
}

func BenchmarkCondition(b *testing.B) {
	it := benchItem()
	b.Run("parse+eval", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := benchParams().ParseCondition(benchCond)
			if err != nil {
				b.Fatal(err)
			}
			if ok, _ := c.Eval(it); !ok {
				b.Fatal("false")
			}
		}
	})
	b.Run("eval", func(b *testing.B) {
		c, err := benchParams().ParseCondition(benchCond)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if ok, _ := c.Eval(it); !ok {
				b.Fatal("false")
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		active, limit, banned := s("active"), n("10"), s("x")
		b.ReportAllocs()
		for b.Loop() {
			_, exists := it["pk"]
			st, ok1 := it["status"]
			ver, ok2 := it["version"]
			tags, ok3 := it["tags"]
			c, cmpOK := value.Compare(ver, limit)
			hasBanned := false
			if ok3 && tags.T == value.L {
				for _, x := range tags.List {
					if value.Equal(x, banned) {
						hasBanned = true
					}
				}
			}
			if !(exists && ok1 && value.Equal(st, active) && ok2 && cmpOK && c < 0 && !hasBanned) {
				b.Fatal("false")
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	it := benchItem()
	b.Run("parse+apply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			u, err := benchParams().ParseUpdate(benchUpdate)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := u.Apply(it); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		u, err := benchParams().ParseUpdate(benchUpdate)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := u.Apply(it); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		one, t := n("1"), s("new")
		b.ReportAllocs()
		for b.Loop() {
			out := it.Clone()
			out["status"] = s("done")
			v, err := value.AddNumbers(it["version"].Str, one.Str, false)
			if err != nil {
				b.Fatal(err)
			}
			out["version"] = value.Value{T: value.N, Str: v}
			old := it["tags"].List
			tags := make([]value.Value, 0, len(old)+1)
			out["tags"] = value.List(append(append(tags, old...), t)...)
			delete(out, "tmp")
		}
	})
}
