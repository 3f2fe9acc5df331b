// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"
#include "core/config/yaml_node.h"

#include <string>
#include <string_view>

namespace meshcraft::core::shell::tools {

/// The image istioctl 1.3.0 injects as the sidecar.
inline constexpr std::string_view ProxyImage = "docker.io/istio/proxyv2:1.3.0";

/// `istioctl kube-inject -f FILE` as istioctl 1.3 prints it (tool-outputs.md §4.1): every Pod
/// and Deployment of the stream gets the `istio-proxy` container, its volumes and the
/// `sidecar.istio.io/status` annotation, and is printed as Go's YAML (sorted keys,
/// `creationTimestamp: null`, `status: {}`); other documents pass through as written. Each
/// document is followed by `---`.
///
/// `meshValues` are the Istio release's values, coalesced with the chart's defaults (helm get
/// values --all): `global.proxy.resources` gives the sidecar's resources, and with
/// `istio_cni.enabled` (the workshop's install, D1) no `istio-init` is added.
///
/// Objects already injected, or annotated `sidecar.istio.io/inject: "false"`, are printed
/// unchanged. Errors carry istioctl's text without its `Error: ` prefix; `source` names the
/// input in them.
common::Result<std::string> kubeInject(std::string_view yaml, const std::string &source,
                                       const config::Node &meshValues);

} // namespace meshcraft::core::shell::tools
