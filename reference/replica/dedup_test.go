package replica

import (
	"errors"
	"testing"

	"pgregory.net/rapid"
)

// TestDedupMatchesModel records ids at increasing log indexes and checks,
// after every record, that the table remembers exactly the ids a naive
// model keeps (applied within the window of the latest index), in index
// order, that results are cached for the last resultWindow ids only, and
// that the backing arrays stay bounded however long the run.
func TestDedupMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		window := rapid.Uint64Range(1, 300).Draw(t, "window")
		steps := rapid.IntRange(1, 3000).Draw(t, "steps")
		d := newDedup(window)
		type rec struct {
			id    RequestID
			index uint64
		}
		var model []rec
		index := uint64(0)
		for i := range steps {
			index += rapid.Uint64Range(1, 3).Draw(t, "gap")
			id := RequestID{Client: uint64(i % 7), Seq: uint64(i)}
			d.record(id, index, i)
			model = append(model, rec{id, index})
			for len(model) > 0 && model[0].index+window < index {
				model = model[1:]
			}
			live := d.live()
			if len(live) != len(model) || len(d.applied) != len(model) {
				t.Fatalf("step %d: %d live, %d applied; model %d", i, len(live), len(d.applied), len(model))
			}
			for j, m := range model {
				if live[j].id != m.id || live[j].index != m.index {
					t.Fatalf("step %d: live[%d] = %+v, model %+v", i, j, live[j], m)
				}
				if !d.seen(m.id) {
					t.Fatalf("step %d: %v not seen", i, m.id)
				}
			}
			if len(d.order) > 2*len(model)+64 || len(d.resultOrder) > 2*resultWindow+64 {
				t.Fatalf("step %d: backing arrays grow: order %d for %d live, resultOrder %d", i, len(d.order), len(model), len(d.resultOrder))
			}
		}
		// The newest min(resultWindow, live) results are cached; older
		// remembered ids answer ErrAlreadyApplied.
		for j, m := range model {
			r := d.result(m.id)
			if len(model)-j <= resultWindow {
				if _, ok := r.(int); !ok {
					t.Fatalf("result of recent %v = %v, want its cached result", m.id, r)
				}
			}
		}
		if steps > resultWindow {
			old := RequestID{Client: 0, Seq: 0}
			if r, ok := d.result(old).(error); !ok || !errors.Is(r, ErrAlreadyApplied) {
				t.Fatalf("result of an id beyond the result window = %v, want ErrAlreadyApplied", d.result(old))
			}
		}
	})
}

// TestDedupSnapshotRoundTrip: the table a snapshot carries decodes to the
// same remembered ids after evictions moved the live part up the array.
func TestDedupSnapshotRoundTrip(t *testing.T) {
	d := newDedup(50)
	for i := range 500 {
		d.record(RequestID{Client: 1, Seq: uint64(i)}, uint64(i+1), nil)
	}
	got, image, err := decodeSnapshot(encodeSnapshot(d, []byte("img")), 50)
	if err != nil || string(image) != "img" {
		t.Fatalf("decode: %v, image %q", err, image)
	}
	if len(got.live()) != len(d.live()) || len(got.applied) != len(d.applied) {
		t.Fatalf("decoded %d ids, want %d", len(got.live()), len(d.live()))
	}
	for i, e := range d.live() {
		if got.live()[i] != e || !got.seen(e.id) {
			t.Fatalf("entry %d: %+v, want %+v", i, got.live()[i], e)
		}
	}
}
