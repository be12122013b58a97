// Command image builds Earshot's container image without a Docker daemon
// (the way ko does: a static Go binary and its files as one layer on an
// empty base) and checks one.
//
//	go run ./scripts/image build -o earshot.oci.tar           # OCI image layout, as a tar
//	go run ./scripts/image build -o earshot.tar -format docker # for `docker load`
//	go run ./scripts/image check earshot.oci.tar              # what CI asserts
//
// The image: /usr/local/bin/earshot (static, CGO_ENABLED=0, -trimpath, no
// DWARF), the example configs under /opt/earshot/configs, the working
// directory /opt/earshot with a data/ directory the non-root user 65532
// owns, /etc/passwd and /etc/group naming that user, and the build host's
// CA bundle for TLS to managed Kafka and Elasticsearch. The Dockerfile at
// the repository root builds the same layout with `docker build`.
package main

import (
	"errors"
	"fmt"
	"os"
)

// The image's fixed facts; check asserts them and the Dockerfile repeats them.
const (
	binaryPath = "/usr/local/bin/earshot"
	workDir    = "/opt/earshot"
	userID     = 65532
	userSpec   = "65532:65532"
	userName   = "earshot"
	caBundle   = "/etc/ssl/certs/ca-certificates.crt"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = buildCmd(os.Args[2:])
	case "check":
		err = checkCmd(os.Args[2:])
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "image %s: %v\n", os.Args[1], err)
		if errors.Is(err, errUsage) {
			usage()
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("bad usage")

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  image build -o FILE [-format oci|docker] [-tag earshot:dev] [-arch amd64] [-tags lingua] [-binary PATH] [-ca-bundle PATH]
  image check FILE`)
}
