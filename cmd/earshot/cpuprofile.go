package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// EnvCPUProfile names a file to write a CPU profile of the whole process to
// (bench/e2e -cpuprofile sets it): where the CPU of `earshot run` goes is
// readable from a profile even on a loaded machine, where wall-clock rates
// are not.
const EnvCPUProfile = "EARSHOT_CPU_PROFILE"

// startCPUProfile starts profiling when EnvCPUProfile is set and returns
// the function that writes the profile out.
func startCPUProfile() (stop func()) {
	path := os.Getenv(EnvCPUProfile)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "earshot: creating the CPU profile named by %s: %v\n", EnvCPUProfile, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "earshot: starting the CPU profile: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "earshot: writing the CPU profile %s: %v\n", path, err)
		}
	}
}
