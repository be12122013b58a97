package identity

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testfill"
	"github.com/earshothq/earshot/record"
)

// scribble changes every value reachable from v in place (through
// slices, maps and pointers), as a caller mutating its copy would.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1000)
	case reflect.Float64:
		v.SetFloat(v.Float() + 1000)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Pointer:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			scribble(e)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Hour)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scribble(v.Field(i))
			}
		}
	}
}

// cloneProspect copies every field, and shares nothing the copy's owner
// could change under the table.
func TestCloneProspectCopiesEveryFieldAndSharesNothing(t *testing.T) {
	var p record.Prospect
	testfill.Every(&p)
	before, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	c := cloneProspect(&p)
	if !reflect.DeepEqual(c, &p) {
		t.Fatalf("the clone differs:\n got %+v\nwant %+v", c, &p)
	}
	scribble(reflect.ValueOf(c).Elem())
	after, _ := json.Marshal(&p)
	if string(after) != string(before) {
		t.Fatalf("changing the clone changed the original:\nbefore %s\n after %s", before, after)
	}
	if reflect.DeepEqual(c, &p) {
		t.Fatal("scribble changed nothing: the test proves nothing")
	}
	// Nil and empty stay as they were.
	empty := &record.Prospect{ID: "p", Evidence: []record.ProspectEvidence{}}
	if c := cloneProspect(empty); !reflect.DeepEqual(c, empty) {
		t.Fatalf("clone of %+v is %+v", empty, c)
	}
}
