//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// createImage creates an image record, uploads data, and checks that a
// download returns it intact.
func createImage(base, name string, data []byte) (loadgen.Image, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "disk_format": "raw", "container_format": "bare"})
	resp, err := apiClient.Post(base+"/v2/images", "application/json", bytes.NewReader(body))
	if err != nil {
		return loadgen.Image{}, err
	}
	var created struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil || created.ID == "" {
		return loadgen.Image{}, fmt.Errorf("POST /v2/images: %s (%v)", resp.Status, err)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/v2/images/"+created.ID+"/file", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err = apiClient.Do(req)
	if err != nil {
		return loadgen.Image{}, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return loadgen.Image{}, fmt.Errorf("PUT /v2/images/%s/file: %s", created.ID, resp.Status)
	}
	sum := sha256.Sum256(data)
	img := loadgen.Image{ID: created.ID, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
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
