// Package version carries the release version of the collection. The
// Makefile stamps it from galaxy.yml with -ldflags -X, so galaxy.yml and every
// binary report the same version.
package version

// Version is overwritten at link time; "dev" marks an unstamped build.
var Version = "dev"
