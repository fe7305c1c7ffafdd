package ansible

import (
	_ "github.com/hashicorp/go-multierror"
	_ "github.com/stretchr/testify/assert"
	_ "gopkg.in/yaml.v3"
)
