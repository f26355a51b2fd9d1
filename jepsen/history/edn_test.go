package history

import (
	"bytes"
	"testing"
)

func TestWriteEDN(t *testing.T) {
	ops := []Op{
		{Index: 0, Type: Invoke, Process: 3, F: Txn, Time: 10, Txn: []Mop{{F: MopAppend, Key: 2, Value: Int(17)}}},
		{Index: 1, Type: Info, Process: NemesisProcess, F: FaultStart, Fault: "kill", Time: 11},
		{Index: 2, Type: Invoke, Process: 4, F: Txn, Time: 12, Txn: []Mop{{F: MopRead, Key: 4}, {F: MopRead, Key: 2}}},
		{Index: 3, Type: OK, Process: 3, F: Txn, Time: 13, Txn: []Mop{{F: MopAppend, Key: 2, Value: Int(17)}}},
		{Index: 4, Type: OK, Process: 4, F: Txn, Time: 14, Txn: []Mop{{F: MopRead, Key: 4, List: []int64{}}, {F: MopRead, Key: 2, List: []int64{5, 17}}}},
		{Index: 5, Type: Invoke, Process: 5, F: Txn, Time: 15, Txn: []Mop{{F: MopRead, Key: 1}}},
		{Index: 6, Type: Info, Process: 5, F: Txn, Time: 16, Txn: []Mop{{F: MopRead, Key: 1}}, Error: `timeout "x"`},
	}
	var b bytes.Buffer
	if err := WriteEDN(&b, ops); err != nil {
		t.Fatal(err)
	}
	want := `{:index 0, :type :invoke, :process 3, :f :txn, :value [[:append 2 17]], :time 10, :ddbkit/index 0}
{:index 1, :type :invoke, :process 4, :f :txn, :value [[:r 4 nil] [:r 2 nil]], :time 12, :ddbkit/index 2}
{:index 2, :type :ok, :process 3, :f :txn, :value [[:append 2 17]], :time 13, :ddbkit/index 3}
{:index 3, :type :ok, :process 4, :f :txn, :value [[:r 4 []] [:r 2 [5 17]]], :time 14, :ddbkit/index 4}
{:index 4, :type :invoke, :process 5, :f :txn, :value [[:r 1 nil]], :time 15, :ddbkit/index 5}
{:index 5, :type :info, :process 5, :f :txn, :value [[:r 1 nil]], :time 16, :ddbkit/index 6, :error "timeout \"x\""}
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	if err := WriteEDN(&b, []Op{{F: Txn, Txn: []Mop{{F: MopDebit}}}}); err == nil {
		t.Fatal("a bank micro-operation was exported as list-append")
	}
}

func TestEDNString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`say "hi" \ bye`, `"say \"hi\" \\ bye"`},
		{"line\nbreak\ttab\x01", `"line\nbreak\u0009tab\u0001"`},
		{"bad \xff byte é", `"bad ` + "\uFFFD" + ` byte é"`},
	}
	for _, c := range cases {
		if got := ednString(c.in); got != c.want {
			t.Errorf("ednString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
