package history

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteEDN writes the transactions of a list-append history (F == Txn) in
// the EDN format of Jepsen's history.edn, one operation map per line, so
// that Elle (github.com/jepsen-io/elle, e.g. elle-cli with --model
// list-append) can check it independently:
//
//	{:index 0, :type :invoke, :process 3, :f :txn, :value [[:append 2 17] [:r 4 nil]], :time 51234567}
//	{:index 1, :type :ok, :process 3, :f :txn, :value [[:append 2 17] [:r 4 [1 5 9]]], :time 53234567}
//
// Other events (the nemesis') are left out. :index counts the lines of this
// file, as Elle requires dense indexes; :ddbkit/index is the event's index in
// history.jsonl.
func WriteEDN(w io.Writer, ops []Op) error {
	bw := bufio.NewWriter(w)
	i := 0
	for _, op := range ops {
		if op.F != Txn || op.Process == NemesisProcess {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "{:index %d, :type :%s, :process %d, :f :txn, :value [", i, op.Type, op.Process)
		for j, m := range op.Txn {
			if j > 0 {
				b.WriteByte(' ')
			}
			switch m.F {
			case MopAppend:
				fmt.Fprintf(&b, "[:append %d %d]", m.Key, deref(m.Value))
			case MopRead:
				fmt.Fprintf(&b, "[:r %d ", m.Key)
				if m.List == nil || op.Type != OK {
					b.WriteString("nil]")
					continue
				}
				b.WriteByte('[')
				for k, e := range m.List {
					if k > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(strconv.FormatInt(e, 10))
				}
				b.WriteString("]]")
			default:
				return fmt.Errorf("history: edn: micro-operation %q is not list-append", m.F)
			}
		}
		fmt.Fprintf(&b, "], :time %d, :ddbkit/index %d", op.Time, op.Index)
		if op.Error != "" {
			fmt.Fprintf(&b, ", :error %s", ednString(op.Error))
		}
		b.WriteString("}\n")
		if _, err := bw.WriteString(b.String()); err != nil {
			return fmt.Errorf("history: edn: %w", err)
		}
		i++
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("history: edn: %w", err)
	}
	return nil
}

func deref(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

// ednString quotes s as an EDN string: backslash and double quote escaped,
// other control characters as \uXXXX (EDN has no \x or \a escapes).
func ednString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
