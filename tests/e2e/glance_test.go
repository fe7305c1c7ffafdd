//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kolla-glance/kolla-glance/tests/e2e/loadgen"
)

// The test cloud's pipeline is unauthenticated: no token or header is
// needed (molecule/_shared/images/README.md).
var apiClient = &http.Client{Timeout: 60 * time.Second}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// createImage creates an image record, uploads data (uploadImage), and
// checks that a download returns it intact.
func createImage(base, name string, data []byte) (loadgen.Image, error) {
	stored, err := uploadImage(base, name, data)
	if err != nil {
		return loadgen.Image{}, err
	}
	img := loadgen.Image{ID: stored.ID, Size: int64(len(data)), SHA256: stored.SHA256}
	got, err := downloadImage(base, img.ID)
	if err != nil {
		return img, err
	}
	if !bytes.Equal(got, data) {
		return img, fmt.Errorf("image %s came back different (%d bytes)", img.ID, len(got))
	}
	return img, nil
}

// downloadImage reads an image's data.
func downloadImage(base, id string) ([]byte, error) {
	resp, err := apiClient.Get(base + "/v2/images/" + id + "/file")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v2/images/%s/file: %s", id, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
