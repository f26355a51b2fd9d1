package jepsen

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// cancellations counts why transactional operations failed, from their
// error text: the cancellation reason codes of a
// TransactionCanceledException ("... specific reasons [ConditionalCheckFailed,
// None]"; each failed transaction counted once per distinct code other than
// None), TransactionConflictException, or "other". Conflicts with in-flight
// transactions cancel operations without any fault, and say how contended
// the run was.
func cancellations(pairs []history.Pair) map[string]int {
	out := map[string]int{}
	for _, p := range pairs {
		switch p.Invoke.F {
		case history.Transfer, history.ReadAll, history.Txn:
		default:
			continue
		}
		if p.Type() != history.Fail {
			continue
		}
		msg := p.Complete.Error
		_, reasons, found := strings.Cut(msg, "specific reasons [")
		switch {
		case found:
			reasons, _, _ = strings.Cut(reasons, "]")
			seen := map[string]bool{}
			for _, r := range strings.Split(reasons, ",") {
				r = strings.TrimSpace(r)
				if r != "" && r != "None" && !seen[r] {
					seen[r] = true
					out[r]++
				}
			}
		case strings.Contains(msg, "TransactionConflictException"):
			out["TransactionConflictException"]++
		default:
			out["other"]++
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func formatCounts(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
