package workloads

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestBuiltinsParse(t *testing.T) {
	if got := len(Names()); got != 11 {
		t.Fatalf("Names() = %d workloads, want 11: %v", got, Names())
	}
	for _, name := range Names() {
		p, err := Load(name)
		if err != nil {
			t.Fatalf("Load(%s): %v", name, err)
		}
		s, err := Parse(p)
		if err != nil {
			t.Fatalf("Parse(%s): %v", name, err)
		}
		if len(s.Unknown) > 0 {
			t.Errorf("%s: unknown properties %v", name, s.Unknown)
		}
	}
}

// The YCSB core workloads as the Java files define them, with CoreWorkload's
// defaults for what the files leave out.
func TestCoreWorkloads(t *testing.T) {
	tests := []struct {
		name                       string
		read, update, insert, scan float64
		rmw                        float64
		dist                       string
		maxScan                    int64
	}{
		{"a", 0.5, 0.5, 0, 0, 0, "zipfian", 1000},
		{"b", 0.95, 0.05, 0, 0, 0, "zipfian", 1000},
		{"c", 1, 0, 0, 0, 0, "zipfian", 1000},
		{"d", 0.95, 0, 0.05, 0, 0, "latest", 1000},
		{"e", 0, 0, 0.05, 0.95, 0, "zipfian", 100},
		{"f", 0.5, 0, 0, 0, 0.5, "zipfian", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(p)
			if err != nil {
				t.Fatal(err)
			}
			got := []float64{s.ReadProportion, s.UpdateProportion, s.InsertProportion, s.ScanProportion, s.ReadModifyWriteProportion}
			want := []float64{tt.read, tt.update, tt.insert, tt.scan, tt.rmw}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("proportions = %v, want %v", got, want)
			}
			if s.RequestDistribution != tt.dist || s.MaxScanLength != tt.maxScan {
				t.Errorf("distribution %s maxscanlength %d, want %s %d", s.RequestDistribution, s.MaxScanLength, tt.dist, tt.maxScan)
			}
			if s.FieldCount != 10 || s.FieldLength != 100 || s.WriteAllFields || !s.ReadAllFields ||
				s.OrderedInserts || s.MinScanLength != 1 || s.ScanLengthDistribution != "uniform" ||
				s.RecordCount != 1000 || s.OperationCount != 1000 || s.Table != "usertable" {
				t.Errorf("defaults differ from CoreWorkload's: %+v", s)
			}
		})
	}
}

func TestParseProperties(t *testing.T) {
	tests := []struct {
		in   string
		want Properties
	}{
		{"a=1\nb = 2\n", Properties{"a": "1", "b": "2"}},
		{"# c\n! c\n  x:y\n", Properties{"x": "y"}},
		{"k v w\n", Properties{"k": "v w"}},
		{"long=one \\\n   two\n", Properties{"long": "one two"}},
		{"a\\=b=c\n", Properties{"a=b": "c"}},
		{"u=\\u0041\\t\n", Properties{"u": "A\t"}},
		{"empty=\n", Properties{"empty": ""}},
		{"a=1\na=2\n", Properties{"a": "2"}},
	}
	for _, tt := range tests {
		got, err := ParseProperties(strings.NewReader(tt.in))
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []Properties{
		{"recordcount": "x"},
		{"requestdistribution": "pareto"},
		{"readproportion": "0", "updateproportion": "0"},
		{"ddbkit.batchsize": "26"},
		{"ddbkit.queryproportion": "0.5"},
		{"maxscanlength": "0"},
		{"recordcount": "10", "insertcount": "20"},
		{"requestdistribution": "hotspot", "recordcount": "10", "hotspotdatafraction": "0.01"},
	}
	for _, p := range tests {
		if _, err := Parse(p); err == nil {
			t.Errorf("Parse(%v) accepted an invalid workload", p)
		}
	}
}

func TestUserFileUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my.properties")
	text := "workload=site.ycsb.workloads.CoreWorkload\nrecordcount=5000\noperationcount=7\n" +
		"readproportion=0.2\nupdateproportion=0.8\nrequestdistribution=uniform\nmeasurementtype=hdrhistogram\nfoo=bar\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.RecordCount != 5000 || s.OperationCount != 7 || s.UpdateProportion != 0.8 {
		t.Errorf("spec = %+v", s)
	}
	if !reflect.DeepEqual(s.Ignored, []string{"measurementtype", "workload"}) || !reflect.DeepEqual(s.Unknown, []string{"foo"}) {
		t.Errorf("ignored %v unknown %v", s.Ignored, s.Unknown)
	}
}

func TestHotkeyHasOneHotRecord(t *testing.T) {
	p, err := Load("ddb-hotkey")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	if hot := int64(float64(s.InsertCount) * s.HotspotDataFraction); hot != 1 {
		t.Errorf("hot set = %d records, want 1", hot)
	}
}
