// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/istio_types.h"

#include <chrono>
#include <string>
#include <string_view>

namespace meshcraft::core::config {

class Store;

/// The mesh-wide settings Pilot reads from the `mesh` key of the `istio` ConfigMap in
/// istio-system. The defaults are Istio 1.3's, used when the ConfigMap or a field is absent.
struct MeshConfig
{
    OutboundTrafficPolicyMode outboundTrafficPolicy = OutboundTrafficPolicyMode::AllowAny;
    std::chrono::milliseconds connectTimeout{10'000};
    /// defaultConfig.drainDuration: how long a changed listener keeps its connections (D3).
    std::chrono::milliseconds drainDuration{45'000};
    std::chrono::milliseconds parentShutdownDuration{60'000};
    std::chrono::milliseconds protocolDetectionTimeout{100};
    std::string accessLogFile; ///< empty: access log off
    std::string accessLogEncoding = "TEXT";
    std::string accessLogFormat;
    bool enableTracing = true;
    bool disablePolicyChecks = true;
    int proxyAdminPort = 15000;
    int concurrency = 2;
    std::string discoveryAddress = "istio-pilot.istio-system:15010";

    bool operator==(const MeshConfig &) const = default;
};

struct MeshConfigResult
{
    MeshConfig config;
    /// Values Pilot could not use (code mesh.invalid-value); the default is kept for them.
    common::Diagnostics diagnostics;
};

/// Reads mesh config YAML (the ConfigMap's `mesh` text). `source` names it in diagnostics.
MeshConfigResult parseMeshConfig(std::string_view text, const std::string &source = "mesh");

/// The mesh config of the cluster: the `istio` ConfigMap in `nameSpace`, or the defaults when
/// it or its `mesh` key is missing.
MeshConfigResult meshConfigFromStore(const Store &store,
                                     std::string_view nameSpace = "istio-system");

} // namespace meshcraft::core::config
