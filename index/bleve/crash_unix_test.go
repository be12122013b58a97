//go:build unix

package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/synth"
)

const crashDirEnv = "EARSHOT_BLEVE_CRASH_DIR"

// TestAcknowledgedWritesSurviveACrash kills a process with SIGKILL right
// after UpsertMentions returned, without closing the index, and checks that
// every acknowledged mention is there when the index is opened again. The
// index stage commits Kafka offsets only after UpsertMentions returns, so
// this is what "no record lost on a crash" rests on. (With scorch's
// unsafe_batch the writes are still in memory at that point and this test
// fails.)
func TestAcknowledgedWritesSurviveACrash(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashAfterWriting(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedWritesSurviveACrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err == nil || !strings.Contains(string(out), "acknowledged 3000") {
		t.Fatalf("the writer should have acknowledged 3000 mentions and been killed; err %v, output:\n%s", err, out)
	}
	if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the writer ended with %v, not SIGKILL; output:\n%s", err, out)
	}
	be, err := Open(Config{Path: dir}, nil, nil)
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer be.Close()
	n, _, err := be.DocCount()
	if err != nil || n != 3000 {
		t.Fatalf("after the crash the index holds %d mentions (%v); want the 3000 acknowledged", n, err)
	}
	res, err := be.Search(context.Background(), &index.SearchRequest{Query: "source:web OR source:mastodon OR source:feed OR source:forms OR source:file"})
	if err != nil || res.Total != 3000 {
		t.Fatalf("searching after the crash: total %v, %v", res, err)
	}
}

// crashAfterWriting is the child: three acknowledged batches, then death.
func crashAfterWriting(dir string) {
	be, err := Open(Config{Path: dir}, nil, nil)
	if err != nil {
		fmt.Println("opening:", err)
		os.Exit(2)
	}
	gen := synth.New(synth.Config{Seed: 5, TailWords: 2000})
	for range 3 {
		for _, err := range be.UpsertMentions(context.Background(), gen.Batch(1000)) {
			if err != nil {
				fmt.Println("writing:", err)
				os.Exit(2)
			}
		}
	}
	fmt.Println("acknowledged 3000")
	os.Stdout.Sync()
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(time.Minute) // not reached
}
