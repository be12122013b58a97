package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/pages/pagestest"
)

// A customer's profile shows the sales work on the prospects they were
// before (converted into them), and only theirs.
func TestCustomerProfileShowsTheWorkFromBeforeTheyWereACustomer(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for id, customer := range map[string]string{"p-old": pagestest.CustomerID, "p-other": "c-someone-else"} {
		pr := &record.Prospect{Schema: 1, ID: id, Key: "email:" + id + "@example.pl", Name: "Lead " + id, Status: record.ProspectConverted, CustomerID: customer}
		if errs := h.stores.Backend.UpsertProfiles(ctx, []*index.Profile{index.ProspectProfile(pr)}); errs[0] != nil {
			t.Fatal(errs[0])
		}
		for _, step := range []struct {
			path string
			form url.Values
		}{{"/prospects/" + id + "/stage", url.Values{"stage": {"qualified"}}}, {"/prospects/" + id + "/notes", url.Values{"text": {"Note on " + id + " <b>bold</b>"}}}} {
			if code, body, _ := h.post(t, step.path, step.form); code != http.StatusSeeOther {
				t.Fatalf("%s = %d %s", step.path, code, body)
			}
		}
	}
	if err := h.stores.Backend.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	_, body, _ := h.get(t, "/people/customer:"+pagestest.CustomerID)
	if !strings.Contains(body, "Sales work from before they were a customer") || !strings.Contains(body, `href="/people/prospect:p-old"`) ||
		!strings.Contains(body, "Note on p-old &lt;b&gt;bold&lt;/b&gt;") || !strings.Contains(body, `data-to="qualified"`) {
		t.Errorf("the customer's profile lacks the earlier lead's work (or shows its note unescaped)")
	}
	if strings.Contains(body, "p-other") {
		t.Errorf("another customer's earlier lead is shown")
	}
	if _, body, _ := h.get(t, "/people/prospect:"+pagestest.ProspectID); strings.Contains(body, "Sales work from before") {
		t.Errorf("a prospect's profile shows the customers' section")
	}
}
