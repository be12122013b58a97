// Package all registers every connector type; the binary imports it once.
package all

import (
	_ "github.com/earshothq/earshot/connectors/file"
)
