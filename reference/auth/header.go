package auth

import (
	"slices"
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=AK/date/region/
// service/aws4_request, SignedHeaders=a;b, Signature=hex". Its parameters
// may be separated by commas, spaces or both.
func parseAuthorization(h string) (authorization, error) {
	var a authorization
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != algorithm {
		return a, ddberr.New(IncompleteSignature, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization="+h)
	}
	params := map[string]string{}
	for _, f := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' }) {
		k, v, ok := strings.Cut(f, "=")
		if ok {
			params[k] = v
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return a, ddberr.New(IncompleteSignature, strings.Join(missing, " ")+" Authorization="+h)
	}
	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 || cred[4] != "aws4_request" {
		return a, ddberr.New(IncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+params["Credential"]+"'")
	}
	a.accessKey, a.date, a.region, a.service = cred[0], cred[1], cred[2], cred[3]
	a.signedHeaders = strings.Split(strings.ToLower(params["SignedHeaders"]), ";")
	if !slices.IsSorted(a.signedHeaders) {
		// The canonical request lists them sorted; a client that sent them
		// in another order signed something else.
		slices.Sort(a.signedHeaders)
	}
	a.signature = params["Signature"]
	return a, nil
}
