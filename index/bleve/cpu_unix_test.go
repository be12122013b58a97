//go:build unix

package bleve

import "syscall"

// processCPU is the CPU time this process has used (user + system), in
// seconds: a throughput measure that holds on a machine shared with other
// work, where wall time does not.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
