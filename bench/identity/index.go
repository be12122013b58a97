package main

import (
	"fmt"
	"io"
)

func runIndex(args []string, out io.Writer) error {
	return fmt.Errorf("not built yet")
}
