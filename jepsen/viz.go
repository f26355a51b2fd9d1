package jepsen

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ddbkit/ddbkit/jepsen/checker"
)

// faultColors shade fault windows: one color per known fault, a stable
// pick for others.
var faultColors = map[string]string{
	"partition-zone": "#fde2e2", "partition-leader": "#e2ecfd", "partition-minority": "#fdf3d8",
	"partition-halves": "#e4f7e1", "kill": "#efe2fd", "kill-leader": "#d9d2f7", "pause": "#fde2f4",
	"pause-leader": "#f7d2e6", "loss": "#d8f3f3", "delay": "#eeeeee", "hook": "#e2ecfd",
}

var otherColors = []string{"#fde2e2", "#e2ecfd", "#fdf3d8", "#e4f7e1", "#efe2fd", "#fde2f4"}

func faultColor(name string) string {
	if c, ok := faultColors[name]; ok {
		return c
	}
	var h uint32
	for _, c := range name {
		h = h*31 + uint32(c)
	}
	return otherColors[h%uint32(len(otherColors))]
}

// Visualize writes porcupine's HTML visualization of a register run, with
// the fault windows as annotations on a "nemesis" row. Large histories are
// cut to at most maxOps operations: the illegal keys first, then others in
// key order, whole keys at a time.
func Visualize(w io.Writer, res *Result, maxOps int, timeout time.Duration) error {
	if res.Register == nil {
		return fmt.Errorf("jepsen: visualization needs a register run")
	}
	ops := pickKeys(res.Register.Ops, res.Register.IllegalKeys, maxOps)
	// Dense client ids: one row per process that appears.
	ids := map[int]int{}
	for i := range ops {
		id, ok := ids[ops[i].ClientId]
		if !ok {
			id = len(ids)
			ids[ops[i].ClientId] = id
		}
		ops[i].ClientId = id
	}
	_, info := porcupine.CheckOperationsVerbose(checker.RegisterModel, ops, timeout)
	var anns []porcupine.Annotation
	for _, f := range res.Faults {
		anns = append(anns, porcupine.Annotation{
			Tag:             "nemesis",
			Start:           f.Start,
			End:             f.Stop,
			Description:     f.Fault,
			Details:         fmt.Sprintf("%s on %s, %.2fs–%.2fs", f.Fault, f.Target, time.Duration(f.Start).Seconds(), time.Duration(f.Stop).Seconds()),
			BackgroundColor: faultColor(f.Fault),
		})
	}
	info.AddAnnotations(anns)
	if err := porcupine.Visualize(checker.RegisterModel, info, w); err != nil {
		return fmt.Errorf("jepsen: visualize: %w", err)
	}
	return nil
}

func pickKeys(ops []porcupine.Operation, illegal []int, maxOps int) []porcupine.Operation {
	if maxOps <= 0 || len(ops) <= maxOps {
		return slices.Clone(ops)
	}
	byKey := map[int][]porcupine.Operation{}
	var keys []int
	for _, op := range ops {
		k := op.Input.(checker.RegisterInput).Key
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], op)
	}
	slices.Sort(keys)
	order := slices.Clone(illegal)
	for _, k := range keys {
		if !slices.Contains(illegal, k) {
			order = append(order, k)
		}
	}
	var out []porcupine.Operation
	for i, k := range order {
		if i > 0 && len(out)+len(byKey[k]) > maxOps {
			break
		}
		out = append(out, byKey[k]...)
	}
	return out
}
