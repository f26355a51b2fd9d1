package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Time to Live: UpdateTimeToLive, DescribeTimeToLive and the sweeper.
// Sources: API reference of both, Developer Guide "Time to Live (TTL)":
// the attribute must be a Number of epoch seconds; items whose value is in
// the past are deleted by a background process "within a few days", and
// may be read until then; values more than five years in the past are
// ignored; non-Number values are ignored.

// ttlIgnoreOlder is the age beyond which an expiry time is ignored.
const ttlIgnoreOlder = 5 * 365 * 24 * time.Hour

// maxSweepPerPass bounds the deletes of one sweeper pass.
const maxSweepPerPass = 1000

type ttlSpec struct {
	Enabled       *bool
	AttributeName *string
}

type updateTTLInput struct {
	TableName               *string
	TimeToLiveSpecification *ttlSpec
}

func (h *Handler) updateTimeToLive(ctx context.Context, body []byte) (any, error) {
	var in updateTTLInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	if sp := in.TimeToLiveSpecification; sp == nil {
		c.notNull("timeToLiveSpecification", false)
	} else {
		if sp.AttributeName == nil {
			c.notNull("timeToLiveSpecification.attributeName", false)
		} else if len(*sp.AttributeName) < 1 {
			c.add("''", "timeToLiveSpecification.attributeName", "Member must have length greater than or equal to 1")
		} else if len(*sp.AttributeName) > 255 {
			c.add(quote(*sp.AttributeName), "timeToLiveSpecification.attributeName", "Member must have length less than or equal to 255")
		}
		c.notNull("timeToLiveSpecification.enabled", sp.Enabled != nil)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	sp := in.TimeToLiveSpecification
	_, err := h.cat.Update(*in.TableName, func(t *catalog.Table) error {
		switch {
		case *sp.Enabled && t.TTLAttribute == *sp.AttributeName:
			return ddberr.Validationf("TimeToLive is already enabled")
		case *sp.Enabled && t.TTLAttribute != "":
			return ddberr.Validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.TTLAttribute)
		case !*sp.Enabled && t.TTLAttribute == "":
			return ddberr.Validationf("TimeToLive is already disabled")
		case !*sp.Enabled && t.TTLAttribute != *sp.AttributeName:
			return ddberr.Validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.TTLAttribute)
		}
		if *sp.Enabled {
			t.TTLAttribute = *sp.AttributeName
		} else {
			t.TTLAttribute = ""
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"TimeToLiveSpecification": map[string]any{"AttributeName": *sp.AttributeName, "Enabled": *sp.Enabled}}, nil
}

func (h *Handler) describeTimeToLive(ctx context.Context, body []byte) (any, error) {
	name, err := tableNameRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := h.cat.Get(name)
	if err != nil {
		return nil, err
	}
	d := map[string]any{"TimeToLiveStatus": "DISABLED"}
	if t.TTLAttribute != "" {
		d = map[string]any{"TimeToLiveStatus": "ENABLED", "AttributeName": t.TTLAttribute}
	}
	return map[string]any{"TimeToLiveDescription": d}, nil
}

// expired reports whether v, an item's TTL attribute, is an expiry time at
// or before now (and not ignored as too old).
func expired(v value.Value, now time.Time) bool {
	if v.T != value.N {
		return false
	}
	d := value.Decimal(v.Str)
	secs, err := d.Int64()
	if err != nil { // fractional or huge: compare as float seconds
		f, ferr := d.Float64()
		if ferr != nil {
			return false
		}
		secs = int64(f)
	}
	t := time.Unix(secs, 0)
	return !t.After(now) && now.Sub(t) <= ttlIgnoreOlder
}

// sweepTTL deletes expired items of every table with TTL enabled, at most
// maxSweepPerPass per pass. Each delete is an ordinary, replicated Delete
// command conditioned on the TTL value the sweeper saw, so an item whose
// expiry was changed meanwhile is kept. Items locked by a transaction are
// skipped until a later pass.
func (h *Handler) sweepTTL(ctx context.Context) error {
	now := h.now()
	budget := maxSweepPerPass
	var errs []error
	for _, t := range h.cat.Tables() {
		if t.TTLAttribute == "" {
			continue
		}
		for _, p := range t.Partitions {
			if budget <= 0 {
				return errors.Join(errs...)
			}
			rd, err := p.Replica.Read(ctx, true)
			if err != nil {
				errs = append(errs, fmt.Errorf("ttl: read %s/%d: %w", t.Name, p.ID, err))
				continue
			}
			var victims []value.Item
			rd.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
				if expired(it[t.TTLAttribute], now) {
					victims = append(victims, it)
				}
				return len(victims) < budget
			})
			if err := rd.Err(); err != nil {
				errs = append(errs, fmt.Errorf("ttl: read %s/%d: %w", t.Name, p.ID, err))
				continue
			}
			for _, it := range victims {
				cmd := &partition.Command{Op: partition.OpDelete, Key: t.Schema.KeyOnly(it),
					Condition: "#t = :v", Names: map[string]string{"#t": t.TTLAttribute},
					Values: map[string]value.Value{":v": it[t.TTLAttribute]}}
				res, err := p.Replica.Propose(ctx, cmd)
				if err != nil {
					errs = append(errs, fmt.Errorf("ttl: delete in %s: %w", t.Name, err))
					continue
				}
				if res.Err == nil {
					budget--
				}
			}
		}
	}
	return errors.Join(errs...)
}
