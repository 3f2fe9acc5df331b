// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/yaml_node.h"

#include <string>

namespace meshcraft::core::shell::tools {

/// YAML as Go programs print it through sigs.k8s.io/yaml (kubectl `-o yaml`, istioctl
/// kube-inject): map keys sorted, sequence items at the parent key's indentation, strings that
/// would read back as another type double-quoted ("15020"), strings plain YAML cannot hold
/// single-quoted ('*'), multi-line strings as literal blocks (|-).
std::string marshalGoYaml(const config::Node &node);

/// One scalar as go-yaml would write it in block context (the rules above).
std::string goYamlScalar(const config::Node &node);

} // namespace meshcraft::core::shell::tools
