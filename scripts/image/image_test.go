package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tinyBinary builds a small static program to stand in for earshot, so the
// test checks the image's making without building the whole hub.
func tinyBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "earshot")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in: %v\n%s", err, out)
	}
	return bin
}

func TestBuildWritesAnOCIArchiveThatPassesCheck(t *testing.T) {
	out := filepath.Join(t.TempDir(), "earshot.oci.tar")
	o := buildOptions{out: out, format: "oci", tag: "earshot:test", arch: "amd64", binary: tinyBinary(t), caBundle: caBundle, repo: "../.."}
	if _, err := os.Stat(caBundle); err != nil {
		o.caBundle = filepath.Join(t.TempDir(), "ca.crt")
		if err := os.WriteFile(o.caBundle, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := buildImage(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(img, o); err != nil {
		t.Fatal(err)
	}
	back, cleanup, err := openOCIArchive(out)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	report, err := checkImage(back)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	for _, want := range []string{"user 65532:65532", "entrypoint [/usr/local/bin/earshot] [run]", "workdir /opt/earshot", "static linux/amd64"} {
		if !strings.Contains(report, want) {
			t.Errorf("report %q lacks %q", report, want)
		}
	}
}

func TestCheckRejectsRootAndDynamicBinaries(t *testing.T) {
	o := buildOptions{tag: "earshot:test", arch: "amd64", binary: tinyBinary(t), caBundle: caBundle, repo: "../.."}
	if _, err := os.Stat(caBundle); err != nil {
		t.Skip("no CA bundle on this machine")
	}
	img, err := buildImage(o)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.User = ""
	cf.Config.Entrypoint = []string{"/bin/sh"}
	bad, err := mutateConfig(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	_, err = checkImage(bad)
	if err == nil || !strings.Contains(err.Error(), `config user is "", want the non-root "65532:65532"`) ||
		!strings.Contains(err.Error(), "config entrypoint is") {
		t.Fatalf("err = %v", err)
	}
	if err := staticELF([]byte("#!/bin/sh\n")); err == nil {
		t.Fatal("a shell script passed as an ELF binary")
	}
}

func TestStaticELFRejectsADynamicBinary(t *testing.T) {
	data, err := os.ReadFile("/bin/ls")
	if err != nil {
		t.Skip("no /bin/ls")
	}
	if err := staticELF(data); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Fatalf("err = %v", err)
	}
}

// The Dockerfile (for people with Docker) must build what this tool builds.
func TestDockerfileAgreesWithTheImage(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, want := range []string{
		"FROM scratch",
		"USER " + userSpec + "\n",
		`ENTRYPOINT ["` + binaryPath + `"]`,
		`CMD ["run"]`,
		"WORKDIR " + workDir + "\n",
		"COPY --from=build /out/earshot " + binaryPath,
		"CGO_ENABLED=0",
		"--chown=65532:65532 /out/root" + workDir + "/data " + workDir + "/data",
		"EARSHOT_HTTP_LISTEN=0.0.0.0:8080",
		caBundle,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
