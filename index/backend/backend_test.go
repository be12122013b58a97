package backend

import (
	"context"
	"strings"
	"testing"
)

func TestValidateNamesTheProblem(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	c := DefaultConfig()
	c.Backend = "solr"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `"solr"`) {
		t.Fatalf("Validate() = %v", err)
	}
	c = DefaultConfig()
	c.Embedded.Path = ""
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "path") {
		t.Fatalf("Validate() = %v", err)
	}
}

func TestOpenEmbedded(t *testing.T) {
	c := DefaultConfig()
	c.Embedded.Path = t.TempDir()
	b, err := Open(context.Background(), c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.GetProfile(context.Background(), "customer:x"); err == nil {
		t.Fatal("an empty index returned a profile")
	}
}
