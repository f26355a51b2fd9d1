package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestTimeToLive(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	status := func() string {
		d, err := c.DescribeTimeToLive(bg, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tab)})
		if err != nil {
			t.Fatal(err)
		}
		return string(d.TimeToLiveDescription.TimeToLiveStatus) + " " + aws.ToString(d.TimeToLiveDescription.AttributeName)
	}
	if got := status(); got != "DISABLED " {
		t.Fatalf("status %q", got)
	}
	spec := func(on bool, attr string) *dynamodb.UpdateTimeToLiveInput {
		return &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(tab), TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(on), AttributeName: aws.String(attr)}}
	}
	_, err := c.UpdateTimeToLive(bg, spec(false, "exp"))
	wantErr(t, err, "ValidationException", "TimeToLive is already disabled")
	out, err := c.UpdateTimeToLive(bg, spec(true, "exp"))
	if err != nil || !*out.TimeToLiveSpecification.Enabled || *out.TimeToLiveSpecification.AttributeName != "exp" {
		t.Fatalf("enable: %+v %v", out, err)
	}
	if got := status(); got != "ENABLED exp" {
		t.Fatalf("status %q", got)
	}
	_, err = c.UpdateTimeToLive(bg, spec(true, "exp"))
	wantErr(t, err, "ValidationException", "TimeToLive is already enabled")
	_, err = c.UpdateTimeToLive(bg, spec(true, "other"))
	wantErr(t, err, "ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is exp")
	_, err = c.DescribeTimeToLive(bg, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("nosuchtable")})
	wantErr(t, err, "ResourceNotFoundException", "")

	now := e.clock.Now().Unix()
	items := map[string]types.AttributeValue{
		"past":      n(fmt.Sprint(now - 10)),
		"future":    n(fmt.Sprint(now + 100)),
		"string":    s(fmt.Sprint(now - 10)),
		"ancient":   n(fmt.Sprint(now - 6*365*24*3600)),
		"fractions": n(fmt.Sprint(now-10) + ".5"),
	}
	for pk, exp := range items {
		if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: item{"pk": s(pk), "exp": exp}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: item{"pk": s("noexp")}}); err != nil {
		t.Fatal(err)
	}
	present := func() map[string]bool {
		out := map[string]bool{}
		p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(tab), ConsistentRead: aws.Bool(true)})
		for p.HasMorePages() {
			page, err := p.NextPage(bg)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				out[it["pk"].(*types.AttributeValueMemberS).Value] = true
			}
		}
		return out
	}
	// Expired items are readable until the sweeper runs.
	if got := present(); len(got) != 6 {
		t.Fatalf("before sweep: %v", got)
	}
	e.h.RunBackgroundOnce(bg)
	want := map[string]bool{"future": true, "string": true, "ancient": true, "noexp": true}
	if got := present(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after sweep: %v, want %v", got, want)
	}
	e.clock.Advance(101 * time.Second)
	e.h.RunBackgroundOnce(bg)
	delete(want, "future")
	if got := present(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the clock passed: %v, want %v", got, want)
	}
	if _, err := c.UpdateTimeToLive(bg, spec(false, "exp")); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "DISABLED " {
		t.Fatalf("status %q", got)
	}
}
