package workloads

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Spec is a validated workload: YCSB CoreWorkload's properties with their
// Java defaults, plus ddbkit's DynamoDB-shaped extensions.
type Spec struct {
	Table          string // table (usertable)
	RecordCount    int64  // recordcount (0 in YCSB means Integer.MAX_VALUE)
	OperationCount int64  // operationcount (0)
	InsertStart    int64  // insertstart (0)
	InsertCount    int64  // insertcount (recordcount - insertstart)

	FieldCount              int64  // fieldcount (10)
	FieldLength             int64  // fieldlength (100)
	MinFieldLength          int64  // minfieldlength (1)
	FieldLengthDistribution string // fieldlengthdistribution: constant|uniform|zipfian (constant)
	FieldNamePrefix         string // fieldnameprefix (field)
	ReadAllFields           bool   // readallfields (true)
	WriteAllFields          bool   // writeallfields (false)

	ReadProportion            float64 // readproportion (0.95)
	UpdateProportion          float64 // updateproportion (0.05)
	InsertProportion          float64 // insertproportion (0)
	ScanProportion            float64 // scanproportion (0)
	ReadModifyWriteProportion float64 // readmodifywriteproportion (0)

	RequestDistribution    string  // requestdistribution: uniform|zipfian|latest|hotspot|sequential|exponential (uniform)
	ZeroPadding            int     // zeropadding (1)
	OrderedInserts         bool    // insertorder != hashed (insertorder=hashed)
	MinScanLength          int64   // minscanlength (1)
	MaxScanLength          int64   // maxscanlength (1000)
	ScanLengthDistribution string  // scanlengthdistribution: uniform|zipfian (uniform)
	HotspotDataFraction    float64 // hotspotdatafraction (0.2)
	HotspotOpnFraction     float64 // hotspotopnfraction (0.8)
	ExponentialPercentile  float64 // exponential.percentile (95)
	ExponentialFrac        float64 // exponential.frac (0.8571428571)

	// DynamoDB-shaped extensions (ignored by Java YCSB).
	ConditionalUpdateProportion float64 // ddbkit.conditionalupdateproportion (0)
	QueryProportion             float64 // ddbkit.queryproportion (0)
	BatchWriteProportion        float64 // ddbkit.batchwriteproportion (0)
	BatchSize                   int     // ddbkit.batchsize (25, at most 25)
	SortKeys                    int64   // ddbkit.sortkeys (1: hash key only)
	ConsistentRead              bool    // ddbkit.consistentread (false)

	// Ignored lists properties that were recognised as YCSB's but have no
	// meaning for ddbkit (workload class, measurement settings, ...), and
	// Unknown those that were not recognised at all.
	Ignored, Unknown []string
}

// Operation names, as YCSB reports them, plus ddbkit's.
const (
	OpRead              = "READ"
	OpUpdate            = "UPDATE"
	OpInsert            = "INSERT"
	OpScan              = "SCAN"
	OpReadModifyWrite   = "READ-MODIFY-WRITE"
	OpConditionalUpdate = "CONDITIONAL-UPDATE"
	OpQuery             = "QUERY"
	OpBatchWrite        = "BATCH-WRITE"
)

// Mix returns the operations with a positive proportion, in YCSB's order
// (read, update, insert, scan, read-modify-write) followed by ddbkit's.
func (s Spec) Mix() []Weighted {
	all := []Weighted{
		{OpRead, s.ReadProportion},
		{OpUpdate, s.UpdateProportion},
		{OpInsert, s.InsertProportion},
		{OpScan, s.ScanProportion},
		{OpReadModifyWrite, s.ReadModifyWriteProportion},
		{OpConditionalUpdate, s.ConditionalUpdateProportion},
		{OpQuery, s.QueryProportion},
		{OpBatchWrite, s.BatchWriteProportion},
	}
	var mix []Weighted
	for _, w := range all {
		if w.Weight > 0 {
			mix = append(mix, w)
		}
	}
	return mix
}

// Weighted is an operation and its proportion.
type Weighted struct {
	Op     string
	Weight float64
}

// ignoredProps are YCSB properties that describe Java-side machinery.
var ignoredProps = map[string]bool{
	"workload": true, "measurementtype": true, "histogram.buckets": true,
	"timeseries.granularity": true, "maxscanrate": true, "scanoptimelimit": true,
	"discardscannedrecord": true, "dataintegrity": true, "readallfieldsbyname": true,
	"fieldlengthhistogram": true, "core_workload_insertion_retry_limit": true,
	"core_workload_insertion_retry_interval": true, "core_workload_insertion_keep_going_on_error": true,
	"threadcount": true, "target": true, "exporter": true, "exportfile": true,
	"measurement.interval": true, "status.interval": true, "maxexecutiontime": true,
	"db": true, "dotransactions": true,
}

// Parse validates p and fills in YCSB CoreWorkload's defaults.
func Parse(p Properties) (Spec, error) {
	r := reader{p: p, used: map[string]bool{}}
	s := Spec{
		Table:                       r.str("table", "usertable"),
		RecordCount:                 r.int("recordcount", 0),
		OperationCount:              r.int("operationcount", 0),
		InsertStart:                 r.int("insertstart", 0),
		FieldCount:                  r.int("fieldcount", 10),
		FieldLength:                 r.int("fieldlength", 100),
		MinFieldLength:              r.int("minfieldlength", 1),
		FieldLengthDistribution:     r.str("fieldlengthdistribution", "constant"),
		FieldNamePrefix:             r.str("fieldnameprefix", "field"),
		ReadAllFields:               r.bool("readallfields", true),
		WriteAllFields:              r.bool("writeallfields", false),
		ReadProportion:              r.float("readproportion", 0.95),
		UpdateProportion:            r.float("updateproportion", 0.05),
		InsertProportion:            r.float("insertproportion", 0),
		ScanProportion:              r.float("scanproportion", 0),
		ReadModifyWriteProportion:   r.float("readmodifywriteproportion", 0),
		RequestDistribution:         r.str("requestdistribution", "uniform"),
		ZeroPadding:                 int(r.int("zeropadding", 1)),
		OrderedInserts:              r.str("insertorder", "hashed") != "hashed",
		MinScanLength:               r.int("minscanlength", 1),
		MaxScanLength:               r.int("maxscanlength", 1000),
		ScanLengthDistribution:      r.str("scanlengthdistribution", "uniform"),
		HotspotDataFraction:         r.float("hotspotdatafraction", 0.2),
		HotspotOpnFraction:          r.float("hotspotopnfraction", 0.8),
		ExponentialPercentile:       r.float("exponential.percentile", 95),
		ExponentialFrac:             r.float("exponential.frac", 0.8571428571),
		ConditionalUpdateProportion: r.float("ddbkit.conditionalupdateproportion", 0),
		QueryProportion:             r.float("ddbkit.queryproportion", 0),
		BatchWriteProportion:        r.float("ddbkit.batchwriteproportion", 0),
		BatchSize:                   int(r.int("ddbkit.batchsize", 25)),
		SortKeys:                    r.int("ddbkit.sortkeys", 1),
		ConsistentRead:              r.bool("ddbkit.consistentread", false),
	}
	if s.RecordCount == 0 {
		s.RecordCount = math.MaxInt32 // as CoreWorkload does
	}
	s.InsertCount = r.int("insertcount", s.RecordCount-s.InsertStart)
	if r.err != nil {
		return Spec{}, r.err
	}
	for _, k := range p.Keys() {
		switch {
		case r.used[k]:
		case ignoredProps[k]:
			s.Ignored = append(s.Ignored, k)
		default:
			s.Unknown = append(s.Unknown, k)
		}
	}
	return s, s.validate()
}

func (s Spec) validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if s.RecordCount < s.InsertStart+s.InsertCount {
		bad("recordcount (%d) must be at least insertstart + insertcount (%d)", s.RecordCount, s.InsertStart+s.InsertCount)
	}
	if s.RecordCount < 1 || s.FieldCount < 1 || s.FieldLength < 1 || s.OperationCount < 0 {
		bad("recordcount, fieldcount and fieldlength must be positive, operationcount not negative")
	}
	switch s.FieldLengthDistribution {
	case "constant", "uniform", "zipfian":
	default:
		bad("fieldlengthdistribution %q: want constant, uniform or zipfian", s.FieldLengthDistribution)
	}
	switch s.RequestDistribution {
	case "uniform", "zipfian", "latest", "hotspot", "sequential", "exponential":
	default:
		bad("requestdistribution %q: want uniform, zipfian, latest, hotspot, sequential or exponential", s.RequestDistribution)
	}
	switch s.ScanLengthDistribution {
	case "uniform", "zipfian":
	default:
		bad("scanlengthdistribution %q: want uniform or zipfian", s.ScanLengthDistribution)
	}
	if s.MinScanLength < 1 || s.MaxScanLength < s.MinScanLength {
		bad("need 1 <= minscanlength (%d) <= maxscanlength (%d)", s.MinScanLength, s.MaxScanLength)
	}
	if s.BatchSize < 1 || s.BatchSize > 25 {
		bad("ddbkit.batchsize %d: BatchWriteItem takes 1..25 requests", s.BatchSize)
	}
	if s.QueryProportion > 0 && s.SortKeys < 2 {
		bad("ddbkit.queryproportion needs ddbkit.sortkeys > 1 (records grouped under a partition key)")
	}
	if s.SortKeys < 1 {
		bad("ddbkit.sortkeys %d: must be at least 1", s.SortKeys)
	}
	if s.RequestDistribution == "hotspot" && int64(float64(s.InsertCount)*s.HotspotDataFraction) < 1 {
		bad("hotspotdatafraction %g of %d records is an empty hot set", s.HotspotDataFraction, s.InsertCount)
	}
	if len(s.Mix()) == 0 {
		bad("every operation proportion is zero")
	}
	for _, w := range s.Mix() {
		if math.IsInf(w.Weight, 0) || math.IsNaN(w.Weight) {
			bad("proportion of %s is %g", w.Op, w.Weight)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("workloads: invalid workload: %s", strings.Join(errs, "; "))
	}
	return nil
}

// reader reads typed properties and remembers the first error.
type reader struct {
	p    Properties
	used map[string]bool
	err  error
}

func (r *reader) raw(k string) (string, bool) {
	r.used[k] = true
	v, ok := r.p[k]
	return strings.TrimSpace(v), ok
}

func (r *reader) fail(k, v, want string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("workloads: property %s=%q: want %s: %w", k, v, want, err)
	}
}

func (r *reader) str(k, def string) string {
	if v, ok := r.raw(k); ok {
		return v
	}
	return def
}

func (r *reader) int(k string, def int64) int64 {
	v, ok := r.raw(k)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		r.fail(k, v, "an integer", err)
	}
	return n
}

func (r *reader) float(k string, def float64) float64 {
	v, ok := r.raw(k)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.fail(k, v, "a number", err)
	}
	return f
}

// bool follows Java's Boolean.parseBoolean: "true" in any case is true,
// anything else false.
func (r *reader) bool(k string, def bool) bool {
	v, ok := r.raw(k)
	if !ok {
		return def
	}
	return strings.EqualFold(v, "true")
}
