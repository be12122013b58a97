package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

func checkCmd(args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	img, cleanup, err := openOCIArchive(args[0])
	if err != nil {
		return err
	}
	defer cleanup()
	report, err := checkImage(img)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	fmt.Print(report)
	return nil
}

// openOCIArchive unpacks an OCI layout tar and returns its only image.
func openOCIArchive(path string) (v1.Image, func(), error) {
	dir, err := os.MkdirTemp("", "earshot-oci-check-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := untar(path, dir); err != nil {
		cleanup()
		return nil, nil, err
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("%s is not an OCI image layout: %w", path, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		cleanup()
		return nil, nil, fmt.Errorf("%s: want exactly one image in the index (err %v)", path, err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return img, cleanup, nil
}

// checkImage asserts what the image promises: a non-root numeric user that
// /etc/passwd names, the entrypoint a static executable in the image, the
// default configs, a data directory that user owns, and a CA bundle.
func checkImage(img v1.Image) (string, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return "", fmt.Errorf("reading the config: %w", err)
	}
	c := cf.Config
	var errs []error
	if c.User != userSpec {
		errs = append(errs, fmt.Errorf("config user is %q, want the non-root %q", c.User, userSpec))
	}
	if len(c.Entrypoint) != 1 || c.Entrypoint[0] != binaryPath {
		errs = append(errs, fmt.Errorf("config entrypoint is %q, want [%s]", c.Entrypoint, binaryPath))
	}
	if c.WorkingDir != workDir {
		errs = append(errs, fmt.Errorf("config working dir is %q, want %s", c.WorkingDir, workDir))
	}
	files := map[string]*tar.Header{}
	var binary, passwd []byte
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the layers: %w", err)
		}
		name := "/" + strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")
		files[name] = h
		switch name {
		case binaryPath:
			binary, _ = io.ReadAll(tr)
		case "/etc/passwd":
			passwd, _ = io.ReadAll(tr)
		}
	}
	if h := files[binaryPath]; h == nil || h.Mode&0o111 == 0 {
		errs = append(errs, fmt.Errorf("%s is missing or not executable", binaryPath))
	} else if err := staticELF(binary); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", binaryPath, err))
	}
	if !strings.Contains(string(passwd), fmt.Sprintf("%s:x:%d:%d:", userName, userID, userID)) {
		errs = append(errs, fmt.Errorf("/etc/passwd does not name user %d", userID))
	}
	for _, want := range []string{workDir + "/configs/earshot.yaml", workDir + "/configs/earshot.distributed.yaml", caBundle} {
		if files[want] == nil {
			errs = append(errs, fmt.Errorf("%s is missing", want))
		}
	}
	if h := files[workDir+"/data"]; h == nil || h.Uid != userID {
		errs = append(errs, fmt.Errorf("%s/data is missing or not owned by %d", workDir, userID))
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	digest, _ := img.Digest()
	size := int64(0)
	if layers, err := img.Layers(); err == nil {
		for _, l := range layers {
			s, _ := l.Size()
			size += s
		}
	}
	return fmt.Sprintf("image %s OK: user %s, entrypoint %s %s, workdir %s, static %s/%s binary (%.1f MB), %.1f MB compressed, %d files\n",
		digest, c.User, c.Entrypoint, c.Cmd, c.WorkingDir, cf.OS, cf.Architecture, float64(len(binary))/1e6, float64(size)/1e6, len(files)), nil
}

// staticELF checks the binary is an ELF executable without an interpreter
// (a static binary runs on an image with no libc).
func staticELF(data []byte) error {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not an ELF executable: %w", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dynamically linked (has an ELF interpreter): build with CGO_ENABLED=0")
		}
	}
	return nil
}

func untar(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(os.PathSeparator)) {
			return fmt.Errorf("%s: entry %q leaves the archive", path, h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.Create(target)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
	}
}

// mutateConfig replaces an image's config (tests make bad images with it).
func mutateConfig(img v1.Image, cf *v1.ConfigFile) (v1.Image, error) {
	return mutate.ConfigFile(img, cf)
}
