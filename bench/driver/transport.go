package driver

import (
	"net"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// NewHTTPClient returns an HTTP client whose keep-alive pool holds conns
// connections per host, so a run with N workers never closes and reopens
// connections between requests.
func NewHTTPClient(conns int, timeout time.Duration) *http.Client {
	if conns < 2 {
		conns = 2
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns * 2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       16 << 10,
		ReadBufferSize:        16 << 10,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// NewSDKHTTPClient returns the SDK's buildable HTTP client with the same
// pool tuning as NewHTTPClient (the SDK needs a buildable client to apply
// settings such as AWS_CA_BUNDLE).
func NewSDKHTTPClient(conns int, timeout time.Duration) *awshttp.BuildableClient {
	if conns < 2 {
		conns = 2
	}
	return awshttp.NewBuildableClient().WithTimeout(timeout).WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = conns * 2
		tr.MaxIdleConnsPerHost = conns * 2
		tr.IdleConnTimeout = 90 * time.Second
		tr.DisableCompression = true
		tr.WriteBufferSize = 16 << 10
		tr.ReadBufferSize = 16 << 10
	})
}
