package api

import (
	"fmt"
	"strings"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Secondary indexes: definitions in CreateTable and UpdateTable, and what
// DescribeTable shows. Sources: API reference CreateTable, UpdateTable,
// GlobalSecondaryIndex, LocalSecondaryIndex, Projection; Developer Guide
// "Improving data access with secondary indexes" and its quotas (20 GSIs,
// 5 LSIs, 100 projected non-key attributes over all indexes of a table).

const (
	maxGSIs          = 20
	maxLSIs          = 5
	maxNonKeyProject = 100
)

type projectionInput struct {
	ProjectionType   *string
	NonKeyAttributes []string
}

type indexInput struct {
	IndexName             *string
	KeySchema             []keySchemaElement
	Projection            *projectionInput
	ProvisionedThroughput *provisionedThroughput
	OnDemandThroughput    map[string]any
}

// checkIndexConstraints adds the framework-level errors of index
// definitions at path (e.g. "globalSecondaryIndexes").
func (c *constraints) indexes(path string, xs []indexInput) {
	for i, x := range xs {
		p := fmt.Sprintf("%s.%d.member", path, i+1)
		if x.IndexName == nil {
			c.notNull(p+".indexName", false)
		} else {
			c.name(p+".indexName", *x.IndexName)
		}
		if x.KeySchema == nil {
			c.notNull(p+".keySchema", false)
		} else if len(x.KeySchema) > 2 {
			c.add(quote(keySchemaString(x.KeySchema)), p+".keySchema", "Member must have length less than or equal to 2")
		} else if len(x.KeySchema) < 1 {
			c.add("'[]'", p+".keySchema", "Member must have length greater than or equal to 1")
		}
		for j, k := range x.KeySchema {
			kp := fmt.Sprintf("%s.keySchema.%d.member", p, j+1)
			if k.AttributeName == nil {
				c.notNull(kp+".attributeName", false)
			}
			if k.KeyType == nil {
				c.notNull(kp+".keyType", false)
			}
			c.enum(kp+".keyType", k.KeyType, "HASH", "RANGE")
		}
		if x.Projection == nil {
			c.notNull(p+".projection", false)
		} else {
			c.enum(p+".projection.projectionType", x.Projection.ProjectionType, "ALL", "KEYS_ONLY", "INCLUDE")
		}
		c.throughput(p+".provisionedThroughput", x.ProvisionedThroughput)
	}
}

// buildIndex validates one index definition against the table's key and
// attribute definitions (defs, in request order) and returns its schema.
// Checks and messages follow DynamoDB's order, as dynalite's validated
// createTable reproduces it: undefined key attributes, same names, key
// types, (LSI) range key and leading hash key, projection.
func buildIndex(x indexInput, local bool, tableKeys partition.KeySchema, defs []string, attrType func(string) value.Type) (partition.IndexSchema, error) {
	name := *x.IndexName
	ks := x.KeySchema
	var keyNames []string
	undefined := false
	for _, k := range ks {
		keyNames = append(keyNames, *k.AttributeName)
		undefined = undefined || attrType(*k.AttributeName) == value.TypeNone
	}
	if undefined {
		return partition.IndexSchema{}, ddberr.Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
			strings.Join(keyNames, ", "), strings.Join(defs, ", "))
	}
	if len(ks) == 2 && *ks[0].AttributeName == *ks[1].AttributeName {
		return partition.IndexSchema{}, ddberr.Validationf("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if *ks[0].KeyType != "HASH" {
		return partition.IndexSchema{}, ddberr.Validationf("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 && *ks[1].KeyType != "RANGE" {
		return partition.IndexSchema{}, ddberr.Validationf("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	s := partition.IndexSchema{Name: name, HashKey: *ks[0].AttributeName, Local: local}
	s.HashType = attrType(s.HashKey)
	if len(ks) == 2 {
		s.RangeKey = *ks[1].AttributeName
		s.RangeType = attrType(s.RangeKey)
	}
	if local {
		if s.RangeKey == "" {
			return s, ddberr.Invalid("Index KeySchema does not have a range key for index: %s", name)
		}
		if s.HashKey != tableKeys.HashKey {
			return s, ddberr.Invalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s",
				name, s.HashKey, tableKeys.HashKey)
		}
	}
	p := x.Projection
	if p.ProjectionType == nil {
		return s, ddberr.Invalid("Unknown ProjectionType: null")
	}
	s.Projection = *p.ProjectionType
	switch {
	case s.Projection != partition.ProjectInclude && p.NonKeyAttributes != nil:
		return s, ddberr.Invalid("ProjectionType is %s, but NonKeyAttributes is specified", s.Projection)
	case s.Projection == partition.ProjectInclude && len(p.NonKeyAttributes) == 0:
		// Not verified against DynamoDB's exact wording.
		return s, ddberr.Invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
	}
	seen := map[string]bool{}
	for _, a := range p.NonKeyAttributes {
		if seen[a] {
			return s, ddberr.Invalid("Duplicate attributes in NonKeyAttributes: %s", a)
		}
		seen[a] = true
	}
	s.NonKey = p.NonKeyAttributes
	return s, nil
}

// tableIndexes validates the LSIs and GSIs of a CreateTable request, in
// that order; it returns the index schemas and the attribute names their
// keys use.
func tableIndexes(in *createTableInput, keys partition.KeySchema, billing string, defs []string, attrType func(string) value.Type) (gsis, lsis []partition.IndexSchema, tps []catalog.Throughput, used []string, err error) {
	fail := func(e error) ([]partition.IndexSchema, []partition.IndexSchema, []catalog.Throughput, []string, error) {
		return nil, nil, nil, nil, e
	}
	names := map[string]bool{}
	nonKey := 0
	add := func(s partition.IndexSchema) error {
		if names[s.Name] {
			return ddberr.Invalid("Duplicate index name: %s", s.Name)
		}
		names[s.Name] = true
		nonKey += len(s.NonKey)
		used = append(used, s.HashKey)
		if s.RangeKey != "" {
			used = append(used, s.RangeKey)
		}
		return nil
	}
	if in.LocalSecondaryIndexes != nil {
		if len(in.LocalSecondaryIndexes) == 0 {
			return fail(ddberr.Invalid("List of LocalSecondaryIndexes is empty"))
		}
		if keys.RangeKey == "" {
			return fail(ddberr.Invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"))
		}
		for _, x := range in.LocalSecondaryIndexes {
			s, err := buildIndex(x, true, keys, defs, attrType)
			if err != nil {
				return fail(err)
			}
			if err := add(s); err != nil {
				return fail(err)
			}
			lsis = append(lsis, s)
		}
		if len(lsis) > maxLSIs {
			return fail(ddberr.Invalid("Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLSIs))
		}
	}
	if in.GlobalSecondaryIndexes != nil {
		if len(in.GlobalSecondaryIndexes) == 0 {
			return fail(ddberr.Invalid("List of GlobalSecondaryIndexes is empty"))
		}
		for _, x := range in.GlobalSecondaryIndexes {
			s, err := buildIndex(x, false, keys, defs, attrType)
			if err != nil {
				return fail(err)
			}
			var tp catalog.Throughput
			switch {
			case billing == catalog.PayPerRequest && x.ProvisionedThroughput != nil:
				return fail(ddberr.Invalid("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", s.Name))
			case billing == catalog.Provisioned && x.ProvisionedThroughput == nil:
				// Not verified against DynamoDB's exact wording.
				return fail(ddberr.Invalid("ProvisionedThroughput must be specified for index: %s", s.Name))
			case x.ProvisionedThroughput != nil:
				tp.Read, tp.Write = *x.ProvisionedThroughput.ReadCapacityUnits, *x.ProvisionedThroughput.WriteCapacityUnits
			}
			if err := add(s); err != nil {
				return fail(err)
			}
			gsis = append(gsis, s)
			tps = append(tps, tp)
		}
		if len(gsis) > maxGSIs {
			return fail(ddberr.Invalid("GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs))
		}
	}
	if nonKey > maxNonKeyProject {
		// Not verified against DynamoDB's exact wording.
		return fail(ddberr.Invalid("The sum of NonKeyAttributes across all secondary indexes exceeds the limit of %d", maxNonKeyProject))
	}
	return gsis, lsis, tps, used, nil
}

// describeIndexes adds GlobalSecondaryIndexes and LocalSecondaryIndexes to
// a TableDescription.
func (h *Handler) describeIndexes(t *catalog.Table, sz partition.Sizes, d map[string]any) {
	keySchema := func(x partition.IndexSchema) []map[string]string {
		ks := []map[string]string{{"AttributeName": x.HashKey, "KeyType": "HASH"}}
		if x.RangeKey != "" {
			ks = append(ks, map[string]string{"AttributeName": x.RangeKey, "KeyType": "RANGE"})
		}
		return ks
	}
	projection := func(x partition.IndexSchema) map[string]any {
		p := map[string]any{"ProjectionType": x.Projection}
		if len(x.NonKey) > 0 {
			p["NonKeyAttributes"] = x.NonKey
		}
		return p
	}
	var gsis, lsis []map[string]any
	for _, g := range t.Global {
		items, size := sz.Global[g.Name][0], sz.Global[g.Name][1]
		gd := map[string]any{
			"IndexName":      g.Name,
			"KeySchema":      keySchema(g.IndexSchema),
			"Projection":     projection(g.IndexSchema),
			"IndexStatus":    g.Status,
			"IndexArn":       t.IndexARN(g.Name),
			"IndexSizeBytes": size,
			"ItemCount":      items,
			"ProvisionedThroughput": map[string]any{
				"NumberOfDecreasesToday": 0, "ReadCapacityUnits": g.Throughput.Read, "WriteCapacityUnits": g.Throughput.Write,
			},
		}
		if g.Status == catalog.IndexCreating {
			gd["Backfilling"] = g.Backfilling
		}
		gsis = append(gsis, gd)
	}
	for _, x := range t.Schema.LocalIndexes() {
		items, size := sz.Local[x.Name][0], sz.Local[x.Name][1]
		lsis = append(lsis, map[string]any{
			"IndexName":      x.Name,
			"KeySchema":      keySchema(x),
			"Projection":     projection(x),
			"IndexArn":       t.IndexARN(x.Name),
			"IndexSizeBytes": size,
			"ItemCount":      items,
		})
	}
	if gsis != nil {
		d["GlobalSecondaryIndexes"] = gsis
	}
	if lsis != nil {
		d["LocalSecondaryIndexes"] = lsis
	}
}

// checkIndexKeys validates the index key attributes of an item about to be
// written: an attribute that is a key of a secondary index must have the
// type declared for it (an item without it is simply not in that index).
// Indexes known at table creation are also checked by the partition on
// every write, updates included; GSIs added later are checked here.
func checkIndexKeys(t *catalog.Table, item value.Item) error {
	if err := t.Schema.CheckIndexKeys(item); err != nil {
		return err
	}
	for _, g := range t.Global {
		if err := g.CheckKeys(item); err != nil {
			return err
		}
	}
	return nil
}

// indexKeyNames returns the attribute names that key the table or any of
// its indexes, for the "defined but unused" check.
func indexKeyNames(t *catalog.Table) map[string]bool {
	out := map[string]bool{t.Schema.HashKey: true}
	if t.Schema.RangeKey != "" {
		out[t.Schema.RangeKey] = true
	}
	for _, x := range t.Schema.Indexes {
		out[x.HashKey] = true
		if x.RangeKey != "" {
			out[x.RangeKey] = true
		}
	}
	for _, g := range t.Global {
		out[g.HashKey] = true
		if g.RangeKey != "" {
			out[g.RangeKey] = true
		}
	}
	delete(out, "")
	return out
}

type gsiUpdate struct {
	Create *indexInput
	Delete *struct{ IndexName *string }
	Update *struct {
		IndexName             *string
		ProvisionedThroughput *provisionedThroughput
	}
}

// checkGSIUpdates validates GlobalSecondaryIndexUpdates on their own.
func checkGSIUpdates(us []gsiUpdate) error {
	var c constraints
	online := 0
	for i, u := range us {
		p := fmt.Sprintf("globalSecondaryIndexUpdates.%d.member", i+1)
		if u.Create != nil {
			online++
			var cc constraints
			cc.indexes(p, []indexInput{*u.Create})
			for _, e := range cc.errs {
				c.errs = append(c.errs, strings.Replace(e, p+".1.member", p+".create", 1))
			}
		}
		if u.Delete != nil {
			online++
			if u.Delete.IndexName == nil {
				c.notNull(p+".delete.indexName", false)
			}
		}
		if u.Update != nil && u.Update.IndexName == nil {
			c.notNull(p+".update.indexName", false)
		}
	}
	if err := c.err(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, u := range us {
		var name string
		switch {
		case u.Update != nil:
			name = *u.Update.IndexName
		case u.Create != nil:
			name = *u.Create.IndexName
		case u.Delete != nil:
			name = *u.Delete.IndexName
		default:
			return ddberr.Invalid("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		}
		if seen[name] {
			return ddberr.Invalid("Only one global secondary index update per index is allowed simultaneously. Index: %s", name)
		}
		seen[name] = true
	}
	if online > 1 {
		return ddberr.New(ddberr.LimitExceeded, "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
	}
	return nil
}

// applyGSIUpdates creates (CREATING, backfilled by the feeder), deletes or
// re-provisions GSIs on t, a copy being updated under the catalog lock.
func (h *Handler) applyGSIUpdates(t *catalog.Table, defs []attributeDefinition, us []gsiUpdate) error {
	if len(us) == 0 {
		return nil
	}
	attrType := func(name string) value.Type {
		for _, a := range defs {
			if a.AttributeName != nil && *a.AttributeName == name && a.AttributeType != nil {
				return value.ParseType(*a.AttributeType)
			}
		}
		return t.AttributeType(name)
	}
	t.Global = append([]*catalog.GlobalIndex(nil), t.Global...)
	for _, u := range us {
		switch {
		case u.Create != nil:
			name := *u.Create.IndexName
			if t.GlobalIndex(name) != nil || t.LocalIndex(name) != nil {
				return ddberr.Invalid("Index with name: %s already exists", name)
			}
			if len(t.Global) >= maxGSIs {
				return ddberr.Invalid("GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
			}
			var names []string
			for _, a := range defs {
				names = append(names, aws(a.AttributeName))
			}
			x, err := buildIndex(*u.Create, false, t.Schema, names, func(n string) value.Type {
				for _, a := range defs { // new index keys must be in the request's definitions
					if aws(a.AttributeName) == n && a.AttributeType != nil {
						return value.ParseType(*a.AttributeType)
					}
				}
				return value.TypeNone
			})
			if err != nil {
				return err
			}
			for _, k := range []string{x.HashKey, x.RangeKey} {
				if k != "" && t.AttributeType(k) == value.TypeNone {
					t.Attributes = append(append([]catalog.AttributeDefinition(nil), t.Attributes...), catalog.AttributeDefinition{Name: k, Type: attrType(k)})
				}
			}
			var tp catalog.Throughput
			switch pt := u.Create.ProvisionedThroughput; {
			case t.BillingMode == catalog.Provisioned && pt == nil:
				return ddberr.Invalid("ProvisionedThroughput must be specified for index: %s", name)
			case t.BillingMode == catalog.PayPerRequest && pt != nil:
				return ddberr.Invalid("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
			case pt != nil:
				tp.Read, tp.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
			}
			t.Global = append(t.Global, &catalog.GlobalIndex{IndexSchema: x, Status: catalog.IndexCreating, Backfilling: true, Throughput: tp})
		case u.Delete != nil:
			name := *u.Delete.IndexName
			i := gsiIndexOf(t, name)
			if i < 0 {
				return ddberr.Newf(ddberr.ResourceNotFound, "Requested resource not found: Index: %s not found", name)
			}
			t.Global = append(t.Global[:i:i], t.Global[i+1:]...)
			var keep []partition.IndexSchema
			for _, x := range t.Schema.Indexes {
				if x.Local || x.Name != name {
					keep = append(keep, x)
				}
			}
			t.Schema.Indexes = keep
			h.gsi.drop(t, name)
		case u.Update != nil:
			i := gsiIndexOf(t, *u.Update.IndexName)
			if i < 0 {
				return ddberr.Newf(ddberr.ResourceNotFound, "Requested resource not found: Index: %s not found", *u.Update.IndexName)
			}
			if pt := u.Update.ProvisionedThroughput; pt != nil {
				cp := *t.Global[i]
				cp.Throughput.Read, cp.Throughput.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
				t.Global[i] = &cp
			}
		}
	}
	return nil
}

func gsiIndexOf(t *catalog.Table, name string) int {
	for i, g := range t.Global {
		if g.Name == name {
			return i
		}
	}
	return -1
}

func aws(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
