package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// buildOptions are the build command's flags.
type buildOptions struct {
	out, format, tag, arch, tags, binary, caBundle, repo string
}

func buildCmd(args []string) error {
	var o buildOptions
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&o.out, "o", "", "output file (required)")
	fs.StringVar(&o.format, "format", "oci", "oci (an OCI image layout in a tar) or docker (for docker load)")
	fs.StringVar(&o.tag, "tag", "earshot:dev", "image name recorded in the archive")
	fs.StringVar(&o.arch, "arch", runtime.GOARCH, "GOARCH of the binary and the image")
	fs.StringVar(&o.tags, "tags", "", "Go build tags (lingua: lingua-go's models, a ~200 MB binary)")
	fs.StringVar(&o.binary, "binary", "", "use this linux binary instead of building one")
	fs.StringVar(&o.caBundle, "ca-bundle", caBundle, "CA certificates to put at "+caBundle)
	fs.StringVar(&o.repo, "repo", "../..", "the Earshot repository")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if o.out == "" || (o.format != "oci" && o.format != "docker") {
		return errUsage
	}
	img, err := buildImage(o)
	if err != nil {
		return err
	}
	if err := write(img, o); err != nil {
		return err
	}
	digest, _ := img.Digest()
	fmt.Printf("wrote %s (%s format, %s, %s)\n", o.out, o.format, o.tag, digest)
	return nil
}

func buildImage(o buildOptions) (v1.Image, error) {
	repo, err := filepath.Abs(o.repo)
	if err != nil {
		return nil, err
	}
	bin := o.binary
	if bin == "" {
		tmp, err := os.MkdirTemp("", "earshot-image-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		bin = filepath.Join(tmp, "earshot")
		if err := goBuild(repo, bin, o); err != nil {
			return nil, err
		}
	}
	mtime := sourceTime(repo)
	layer, err := rootLayer(repo, bin, o.caBundle, mtime)
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		return nil, fmt.Errorf("adding the layer: %w", err)
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", o.arch, v1.Time{Time: mtime}
	cf.Config.User = userSpec
	cf.Config.Entrypoint = []string{binaryPath}
	cf.Config.Cmd = []string{"run"}
	cf.Config.WorkingDir = workDir
	cf.Config.Env = []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"SSL_CERT_FILE=" + caBundle,
		// The hub listens on every interface inside a container; publish
		// the port to choose who reaches it.
		"EARSHOT_HTTP_LISTEN=0.0.0.0:8080",
		"EARSHOT_CONNECT_LISTEN=0.0.0.0:8081",
	}
	cf.Config.ExposedPorts = map[string]struct{}{"8080/tcp": {}, "8081/tcp": {}}
	cf.Config.Volumes = map[string]struct{}{workDir + "/data": {}}
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":    "earshot",
		"org.opencontainers.image.source":   "https://github.com/earshothq/earshot",
		"org.opencontainers.image.licenses": "Apache-2.0",
	}
	if rev := gitOutput(repo, "rev-parse", "HEAD"); rev != "" {
		cf.Config.Labels["org.opencontainers.image.revision"] = rev
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting the image config: %w", err)
	}
	return img, nil
}

// goBuild builds the static linux binary the image runs.
func goBuild(repo, out string, o buildOptions) error {
	args := []string{"build", "-trimpath", "-buildvcs=auto", "-ldflags=-s -w", "-o", out}
	if o.tags != "" {
		args = append(args, "-tags", o.tags)
	}
	args = append(args, "./cmd/earshot")
	cmd := exec.Command("go", args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+o.arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "image: go %s (CGO_ENABLED=0 GOOS=linux GOARCH=%s)\n", strings.Join(args, " "), o.arch)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the binary: %w", err)
	}
	return nil
}

// rootLayer is the image's only layer: binary, configs, users, CA bundle.
func rootLayer(repo, bin, caFile string, mtime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64, uid int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: uid, ModTime: mtime})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	binData, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("reading the binary: %w", err)
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading the CA bundle (-ca-bundle; on Debian: apt-get install ca-certificates): %w", err)
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:Earshot:%s:/sbin/nologin\n", userName, userID, userID, workDir)
	group := fmt.Sprintf("root:x:0:\n%s:x:%d:\n", userName, userID)
	steps := []func() error{
		func() error { return dir("etc", 0o755, 0) },
		func() error { return file("etc/passwd", 0o644, []byte(passwd)) },
		func() error { return file("etc/group", 0o644, []byte(group)) },
		func() error { return dir("etc/ssl", 0o755, 0) },
		func() error { return dir("etc/ssl/certs", 0o755, 0) },
		func() error { return file(strings.TrimPrefix(caBundle, "/"), 0o644, ca) },
		func() error { return dir("tmp", 0o1777, 0) },
		func() error { return dir("usr", 0o755, 0) },
		func() error { return dir("usr/local", 0o755, 0) },
		func() error { return dir("usr/local/bin", 0o755, 0) },
		func() error { return file(strings.TrimPrefix(binaryPath, "/"), 0o755, binData) },
		func() error { return dir("opt", 0o755, 0) },
		func() error { return dir(strings.TrimPrefix(workDir, "/"), 0o755, 0) },
		// Only data/ is the user's: the binary and configs stay read-only to it.
		func() error { return dir(strings.TrimPrefix(workDir, "/")+"/data", 0o750, userID) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("writing the layer: %w", err)
		}
	}
	// The example configs, their samples and schemas, as in the repository.
	configs := filepath.Join(repo, "configs")
	err = filepath.WalkDir(configs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repo, path)
		name := strings.TrimPrefix(workDir, "/") + "/" + filepath.ToSlash(rel)
		if d.IsDir() {
			return dir(name, 0o755, 0)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return file(name, 0o644, data)
	})
	if err != nil {
		return nil, fmt.Errorf("adding configs: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// write saves the image as an OCI layout in a tar, or as a docker archive.
func write(img v1.Image, o buildOptions) error {
	if o.format == "docker" {
		ref, err := name.NewTag(o.tag)
		if err != nil {
			return fmt.Errorf("image tag %q: %w", o.tag, err)
		}
		return tarball.WriteToFile(o.out, ref, img)
	}
	tmp, err := os.MkdirTemp("", "earshot-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": o.tag,
		"io.containerd.image.name":          o.tag,
	})); err != nil {
		return fmt.Errorf("writing the OCI layout: %w", err)
	}
	return tarDir(tmp, o.out)
}

// tarDir packs an OCI layout directory into one archive (what podman,
// skopeo and docker load as oci-archive).
func tarDir(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

// sourceTime is SOURCE_DATE_EPOCH, or the commit's time, so two builds of
// one commit give the same layer.
func sourceTime(repo string) time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	if s := gitOutput(repo, "log", "-1", "--format=%ct"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Unix(0, 0).UTC()
}

func gitOutput(repo string, args ...string) string {
	out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
