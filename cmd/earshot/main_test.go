package main

import (
	"os"
	"testing"
)

// TestMain lets tests run the earshot command as a real subprocess (so it
// can be killed with SIGKILL): the test binary re-executes itself with
// EARSHOT_TEST_AS_CLI=1 and earshot's arguments.
func TestMain(m *testing.M) {
	if os.Getenv("EARSHOT_TEST_AS_CLI") == "1" {
		os.Exit(execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
