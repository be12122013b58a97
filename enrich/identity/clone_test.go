package identity

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

// fill sets every field reachable from v to a non-zero value, with two
// elements in every slice and map, so a field added to the record types
// later is covered without editing this test.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeOf(time.Duration(0)) {
			v.SetInt(int64(time.Second))
			return
		}
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) / 7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, *n, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	}
}

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
	n := 0
	fill(reflect.ValueOf(&p).Elem(), &n)
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
