// Command earshot is the social-listening and lead-capture hub: one binary
// for the embedded one-command mode and for each role of the distributed mode.
package main

import (
	"os"
)

func main() {
	stopProfile := startCPUProfile()
	code := execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}
