/** Where the probe's source is written in the project (the image has the built probe at COMPILED_PROBE.path). */
export const HEALTH_PROBE_SOURCE = '.stagecraft/healthprobe/main.go';

/**
 * stagecraft's own health probe for images without a shell or curl
 * (distroless, scratch): a small static Go program built in the builder
 * stage, so a HEALTHCHECK works for any app, not only one that implements a
 * probe flag. It speaks just enough HTTP/1.0 over net (no net/http) to stay
 * small, and exits 0 for a 2xx answer within its timeout.
 *
 * A generated file in a dot folder: `go build ./...`, `go vet ./...` and
 * `go test ./...` skip it, and the builder compiles it on its own.
 */
export const HEALTH_PROBE = `// Command healthprobe is the image's HEALTHCHECK: healthprobe URL exits 0 when an HTTP GET of URL
// (http://host:port/path) answers 2xx within 4 seconds, 1 otherwise, with one line on stderr.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

func probe(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("usage: healthprobe http://host:port/path")
	}
	deadline := time.Now().Add(4 * time.Second)
	conn, err := net.DialTimeout("tcp", u.Host, 4*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: stagecraft-healthprobe\\r\\n\\r\\n", u.RequestURI(), u.Host); err != nil {
		return err
	}
	status, err := bufio.NewReader(conn).ReadString('\\n')
	if err != nil {
		return err
	}
	fields := strings.Fields(status)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "HTTP/") || len(fields[1]) != 3 || fields[1][0] != '2' {
		return fmt.Errorf("unhealthy: %s", strings.TrimSpace(status))
	}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: healthprobe http://host:port/path")
		os.Exit(2)
	}
	if err := probe(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}`.split('\n');
