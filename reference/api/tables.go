package api

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Control plane: CreateTable, DescribeTable, ListTables, DeleteTable,
// UpdateTable. Sources: the API reference pages of each operation and
// "Service, account, and table quotas".

type attributeDefinition struct {
	AttributeName *string
	AttributeType *string
}

type keySchemaElement struct {
	AttributeName *string
	KeyType       *string
}

type provisionedThroughput struct {
	ReadCapacityUnits  *int64
	WriteCapacityUnits *int64
}

type createTableInput struct {
	TableName                 *string
	AttributeDefinitions      []attributeDefinition
	KeySchema                 []keySchemaElement
	BillingMode               *string
	ProvisionedThroughput     *provisionedThroughput
	DeletionProtectionEnabled *bool
	LocalSecondaryIndexes     []indexInput
	GlobalSecondaryIndexes    []indexInput
	StreamSpecification       map[string]any
	SSESpecification          map[string]any
	Tags                      []map[string]any
	TableClass                *string
}

// maxCapacity is the largest capacity-unit value DynamoDB accepts at all.
const maxCapacity = 1000000000000

func (c *constraints) throughput(path string, pt *provisionedThroughput) {
	if pt == nil {
		return
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{{"writeCapacityUnits", pt.WriteCapacityUnits}, {"readCapacityUnits", pt.ReadCapacityUnits}} {
		switch {
		case f.v == nil:
			c.add("null", path+"."+f.name, "Member must not be null")
		case *f.v < 1:
			c.add(quote(fmt.Sprint(*f.v)), path+"."+f.name, "Member must have value greater than or equal to 1")
		}
	}
}

func (h *Handler) createTable(ctx context.Context, body []byte) (any, error) {
	var in createTableInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := tableOpName(in.TableName); err != nil {
		return nil, err
	}
	var c constraints
	if in.AttributeDefinitions == nil {
		c.notNull("attributeDefinitions", false)
	}
	for i, a := range in.AttributeDefinitions {
		p := fmt.Sprintf("attributeDefinitions.%d.member", i+1)
		if a.AttributeName == nil {
			c.notNull(p+".attributeName", false)
		}
		if a.AttributeType == nil {
			c.notNull(p+".attributeType", false)
		}
		c.enum(p+".attributeType", a.AttributeType, "B", "N", "S")
	}
	c.tableName("tableName", in.TableName)
	if in.KeySchema == nil {
		c.notNull("keySchema", false)
	} else {
		if len(in.KeySchema) < 1 {
			c.add("'[]'", "keySchema", "Member must have length greater than or equal to 1")
		}
		if len(in.KeySchema) > 2 {
			c.add(quote(keySchemaString(in.KeySchema)), "keySchema", "Member must have length less than or equal to 2")
		}
		for i, k := range in.KeySchema {
			p := fmt.Sprintf("keySchema.%d.member", i+1)
			if k.AttributeName == nil {
				c.notNull(p+".attributeName", false)
			} else if len(*k.AttributeName) > 255 {
				c.add(quote(*k.AttributeName), p+".attributeName", "Member must have length less than or equal to 255")
			} else if *k.AttributeName == "" {
				c.add("''", p+".attributeName", "Member must have length greater than or equal to 1")
			}
			if k.KeyType == nil {
				c.notNull(p+".keyType", false)
			}
			c.enum(p+".keyType", k.KeyType, "HASH", "RANGE")
		}
	}
	c.enum("billingMode", in.BillingMode, catalog.Provisioned, catalog.PayPerRequest)
	c.throughput("provisionedThroughput", in.ProvisionedThroughput)
	c.indexes("globalSecondaryIndexes", in.GlobalSecondaryIndexes)
	c.indexes("localSecondaryIndexes", in.LocalSecondaryIndexes)
	if err := c.err(); err != nil {
		return nil, err
	}

	billing := catalog.Provisioned
	if in.BillingMode != nil {
		billing = *in.BillingMode
	}
	var tp catalog.Throughput
	if billing == catalog.PayPerRequest {
		if in.ProvisionedThroughput != nil {
			return nil, ddberr.Invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	} else {
		if in.ProvisionedThroughput == nil {
			return nil, ddberr.Invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if r := *in.ProvisionedThroughput.ReadCapacityUnits; r > maxCapacity {
			return nil, ddberr.Validationf("Given value %d for ReadCapacityUnits is out of bounds", r)
		}
		if w := *in.ProvisionedThroughput.WriteCapacityUnits; w > maxCapacity {
			return nil, ddberr.Validationf("Given value %d for WriteCapacityUnits is out of bounds", w)
		}
		tp.Read, tp.Write = *in.ProvisionedThroughput.ReadCapacityUnits, *in.ProvisionedThroughput.WriteCapacityUnits
	}

	defs := make([]string, len(in.AttributeDefinitions))
	seen := map[string]bool{}
	for i, a := range in.AttributeDefinitions {
		defs[i] = *a.AttributeName
		if seen[defs[i]] {
			return nil, ddberr.Invalid("Duplicate AttributeName in AttributeDefinitions: %s", defs[i])
		}
		seen[defs[i]] = true
	}
	keys := make([]string, len(in.KeySchema))
	for i, k := range in.KeySchema {
		keys[i] = *k.AttributeName
	}
	if len(keys) > len(defs) {
		return nil, ddberr.Validationf("Invalid KeySchema: Some index key attribute have no definition")
	}
	for _, k := range keys {
		if !seen[k] {
			return nil, ddberr.Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
				strings.Join(keys, ", "), strings.Join(defs, ", "))
		}
	}
	if len(keys) == 2 && keys[0] == keys[1] {
		return nil, ddberr.Validationf("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if *in.KeySchema[0].KeyType != "HASH" {
		return nil, ddberr.Validationf("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(keys) == 2 && *in.KeySchema[1].KeyType != "RANGE" {
		return nil, ddberr.Validationf("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	defType := func(name string) value.Type {
		for _, a := range in.AttributeDefinitions {
			if *a.AttributeName == name {
				return value.ParseType(*a.AttributeType)
			}
		}
		return value.TypeNone
	}
	schema := partition.KeySchema{HashKey: keys[0], HashType: defType(keys[0]), CollectionLimit: h.collectionLimit}
	if len(keys) == 2 {
		schema.RangeKey, schema.RangeType = keys[1], defType(keys[1])
	}
	gsis, lsis, gsiTP, indexKeys, err := tableIndexes(&in, schema, billing, defs, defType)
	if err != nil {
		return nil, err
	}
	usedSet := map[string]bool{}
	for _, k := range keys {
		usedSet[k] = true
	}
	for _, k := range indexKeys {
		usedSet[k] = true
	}
	if len(usedSet) != len(defs) {
		return nil, ddberr.Invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}

	t := &catalog.Table{
		Name:        *in.TableName,
		BillingMode: billing,
		Throughput:  tp,
	}
	for _, a := range in.AttributeDefinitions {
		t.Attributes = append(t.Attributes, catalog.AttributeDefinition{Name: *a.AttributeName, Type: value.ParseType(*a.AttributeType)})
	}
	schema.Indexes = append(append(schema.Indexes, gsis...), lsis...)
	t.Schema = schema
	for i, g := range gsis {
		t.Global = append(t.Global, &catalog.GlobalIndex{IndexSchema: g, Status: catalog.IndexActive, Throughput: gsiTP[i]})
	}
	if in.DeletionProtectionEnabled != nil {
		t.DeletionProtection = *in.DeletionProtectionEnabled
	}
	if billing == catalog.PayPerRequest {
		t.BillingModeChanged = h.cat.Now()
	}
	t, err = h.cat.Create(t)
	if err != nil {
		return nil, err
	}
	return map[string]any{"TableDescription": h.describe(ctx, t, catalog.StatusCreating)}, nil
}

func keySchemaString(ks []keySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		n, t := "null", "null"
		if k.AttributeName != nil {
			n = *k.AttributeName
		}
		if k.KeyType != nil {
			t = *k.KeyType
		}
		parts[i] = "KeySchemaElement(attributeName=" + n + ", keyType=" + t + ")"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// describe renders a TableDescription. status overrides the table's status
// in the response (CreateTable answers CREATING, DeleteTable DELETING).
func (h *Handler) describe(ctx context.Context, t *catalog.Table, status string) map[string]any {
	if status == "" {
		status = t.Status
	}
	sz := h.tableSizes(ctx, t)
	defs := make([]map[string]string, len(t.Attributes))
	for i, a := range t.Attributes {
		defs[i] = map[string]string{"AttributeName": a.Name, "AttributeType": a.Type.String()}
	}
	ks := []map[string]string{{"AttributeName": t.Schema.HashKey, "KeyType": "HASH"}}
	if t.Schema.RangeKey != "" {
		ks = append(ks, map[string]string{"AttributeName": t.Schema.RangeKey, "KeyType": "RANGE"})
	}
	pt := map[string]any{
		"NumberOfDecreasesToday": t.Throughput.Decreases,
		"ReadCapacityUnits":      t.Throughput.Read,
		"WriteCapacityUnits":     t.Throughput.Write,
	}
	if !t.Throughput.LastIncrease.IsZero() {
		pt["LastIncreaseDateTime"] = epoch(t.Throughput.LastIncrease)
	}
	if !t.Throughput.LastDecrease.IsZero() {
		pt["LastDecreaseDateTime"] = epoch(t.Throughput.LastDecrease)
	}
	d := map[string]any{
		"AttributeDefinitions":      defs,
		"TableName":                 t.Name,
		"KeySchema":                 ks,
		"TableStatus":               status,
		"CreationDateTime":          epoch(t.Created),
		"ProvisionedThroughput":     pt,
		"TableSizeBytes":            sz.Bytes,
		"ItemCount":                 sz.Items,
		"TableArn":                  t.ARN(),
		"TableId":                   t.ID,
		"DeletionProtectionEnabled": t.DeletionProtection,
	}
	if t.BillingMode == catalog.PayPerRequest {
		d["BillingModeSummary"] = map[string]any{
			"BillingMode":                       catalog.PayPerRequest,
			"LastUpdateToPayPerRequestDateTime": epoch(t.BillingModeChanged),
		}
	}
	h.describeIndexes(t, sz, d)
	return d
}

// epoch renders a time as DynamoDB does: seconds since the epoch, with
// milliseconds as the fraction.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

type tableNameInput struct {
	TableName *string
}

// tableNameRequest decodes and validates the body of an operation whose
// only input is TableName (DescribeTable, DeleteTable, DescribeTimeToLive).
func tableNameRequest(body []byte) (string, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return "", err
	}
	if err := tableOpName(in.TableName); err != nil {
		return "", err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	if err := c.err(); err != nil {
		return "", err
	}
	return *in.TableName, nil
}

func (h *Handler) describeTable(ctx context.Context, body []byte) (any, error) {
	name, err := tableNameRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := h.cat.Get(name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Table": h.describe(ctx, t, "")}, nil
}

func (h *Handler) deleteTable(ctx context.Context, body []byte) (any, error) {
	name, err := tableNameRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := h.cat.Delete(name)
	if err != nil {
		return nil, err
	}
	d := h.describe(ctx, t, catalog.StatusDeleting)
	for _, g := range t.Global {
		h.gsi.drop(t, g.Name)
	}
	return map[string]any{"TableDescription": d}, nil
}

type listTablesInput struct {
	ExclusiveStartTableName *string
	Limit                   *int64
}

func (h *Handler) listTables(ctx context.Context, body []byte) (any, error) {
	var in listTablesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	if in.ExclusiveStartTableName != nil {
		c.name("exclusiveStartTableName", *in.ExclusiveStartTableName)
	}
	limit := int64(100)
	if in.Limit != nil {
		switch {
		case *in.Limit < 1:
			c.add(quote(fmt.Sprint(*in.Limit)), "limit", "Member must have value greater than or equal to 1")
		case *in.Limit > 100:
			c.add(quote(fmt.Sprint(*in.Limit)), "limit", "Member must have value less than or equal to 100")
		default:
			limit = *in.Limit
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	names := h.cat.Names()
	start := 0
	if in.ExclusiveStartTableName != nil {
		start = sort.SearchStrings(names, *in.ExclusiveStartTableName)
		if start < len(names) && names[start] == *in.ExclusiveStartTableName {
			start++
		}
	}
	names = names[start:]
	out := map[string]any{}
	if int64(len(names)) > limit {
		names = names[:limit]
		out["LastEvaluatedTableName"] = names[len(names)-1]
	}
	out["TableNames"] = names
	return out, nil
}

type updateTableInput struct {
	TableName                   *string
	BillingMode                 *string
	ProvisionedThroughput       *provisionedThroughput
	DeletionProtectionEnabled   *bool
	AttributeDefinitions        []attributeDefinition
	GlobalSecondaryIndexUpdates []gsiUpdate
	StreamSpecification         map[string]any
	SSESpecification            map[string]any
	TableClass                  *string
}

func (h *Handler) updateTable(ctx context.Context, body []byte) (any, error) {
	var in updateTableInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := tableOpName(in.TableName); err != nil {
		return nil, err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	c.enum("billingMode", in.BillingMode, catalog.Provisioned, catalog.PayPerRequest)
	c.throughput("provisionedThroughput", in.ProvisionedThroughput)
	if err := c.err(); err != nil {
		return nil, err
	}
	if in.ProvisionedThroughput == nil && in.BillingMode == nil && in.DeletionProtectionEnabled == nil &&
		len(in.GlobalSecondaryIndexUpdates) == 0 && in.StreamSpecification == nil && in.SSESpecification == nil && in.TableClass == nil {
		return nil, ddberr.Validationf("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if err := checkGSIUpdates(in.GlobalSecondaryIndexUpdates); err != nil {
		return nil, err
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		if *pt.ReadCapacityUnits > maxCapacity {
			return nil, ddberr.Validationf("Given value %d for ReadCapacityUnits is out of bounds", *pt.ReadCapacityUnits)
		}
		if *pt.WriteCapacityUnits > maxCapacity {
			return nil, ddberr.Validationf("Given value %d for WriteCapacityUnits is out of bounds", *pt.WriteCapacityUnits)
		}
	}
	now := h.cat.Now()
	t, err := h.cat.Update(*in.TableName, func(t *catalog.Table) error {
		mode := t.BillingMode
		if in.BillingMode != nil {
			mode = *in.BillingMode
		}
		pt := in.ProvisionedThroughput
		switch mode {
		case catalog.PayPerRequest:
			if pt != nil {
				return ddberr.Invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
			}
		case catalog.Provisioned:
			if t.BillingMode == catalog.PayPerRequest && pt == nil {
				return ddberr.Invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
			}
			if pt != nil && t.BillingMode == catalog.Provisioned && in.BillingMode == nil &&
				*pt.ReadCapacityUnits == t.Throughput.Read && *pt.WriteCapacityUnits == t.Throughput.Write {
				return ddberr.Validationf("The provisioned throughput for the table will not change. The requested value equals the current value. "+
					"Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. "+
					"Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. "+
					"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
					t.Throughput.Read, *pt.ReadCapacityUnits, t.Throughput.Write, *pt.WriteCapacityUnits)
			}
		}
		if mode == catalog.PayPerRequest && t.BillingMode != catalog.PayPerRequest {
			t.BillingModeChanged = now
			t.Throughput.Read, t.Throughput.Write = 0, 0
		}
		t.BillingMode = mode
		if pt != nil {
			r, w := *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
			if r > t.Throughput.Read || w > t.Throughput.Write {
				t.Throughput.LastIncrease = now
			}
			if r < t.Throughput.Read || w < t.Throughput.Write {
				t.Throughput.LastDecrease = now
				t.Throughput.Decreases++
			}
			t.Throughput.Read, t.Throughput.Write = r, w
		}
		if in.DeletionProtectionEnabled != nil {
			t.DeletionProtection = *in.DeletionProtectionEnabled
		}
		return h.applyGSIUpdates(t, in.AttributeDefinitions, in.GlobalSecondaryIndexUpdates)
	})
	if err != nil {
		return nil, err
	}
	if len(in.GlobalSecondaryIndexUpdates) > 0 {
		h.gsi.notify() // start the backfill
	}
	return map[string]any{"TableDescription": h.describe(ctx, t, catalog.StatusUpdating)}, nil
}
